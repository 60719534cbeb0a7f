/**
 * The test host's stand-in for the native save dialog: exports land in one folder chosen on
 * the command line, under the suggested name made safe, never outside that folder, and never
 * over an existing file (a numbered name is picked instead).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SaveFile } from '../core/index.ts';

function safeName(suggested: string): string {
  const name = basename(suggested.replaceAll('\\', '/')).replace(/[^A-Za-z0-9._-]/g, '_');
  return name.replace(/^\.+/, '') || 'export.csv';
}

export function saveIntoFolder(dir: string): SaveFile {
  return async (suggestedName, contents) => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const name = safeName(suggestedName);
    const dot = name.lastIndexOf('.');
    for (let n = 0; n < 1000; n += 1) {
      const candidate = n === 0 ? name : `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
      const path = join(dir, candidate);
      try {
        await writeFile(path, contents, { flag: 'wx', mode: 0o600 });
        return { saved: true, path };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new Error(`no free file name for ${name} in ${dir}`);
  };
}
