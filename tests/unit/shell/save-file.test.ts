import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BaseWindow, SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { createSaveFile, writeFileAtomic } from '../../../electron/shell/save-file.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/save-file.ts must not load the electron module at runtime');
});

const CSV_FILTERS = [{ name: 'CSV', extensions: ['csv'] }];
const POSIX = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'certdesk-save-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A save dialog that answers `choice` and records how it was opened. */
function fakeDialog(choice: SaveDialogReturnValue) {
  const calls: unknown[][] = [];
  const dialog = {
    showSaveDialog: vi.fn(async (...args: unknown[]) => {
      calls.push(args);
      return choice;
    }),
  };
  return { dialog: dialog as unknown as Parameters<typeof createSaveFile>[0], calls };
}

const WINDOW = { id: 'main window' } as unknown as BaseWindow;

describe('saving an export through the native dialog', () => {
  it('offers the sanitized suggestion, modal to the window, and writes the chosen file 0600', async () => {
    const target = join(dir, 'records.csv');
    const { dialog, calls } = fakeDialog({ canceled: false, filePath: target });
    const saveFile = createSaveFile(dialog, () => WINDOW);

    const result = await saveFile(
      '../../*.example.com.csv',
      'Template,Name\r\na,b\r\n',
      CSV_FILTERS,
    );

    expect(result).toEqual({ saved: true, path: target });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe(WINDOW);
    expect(calls[0]?.[1]).toEqual({
      title: 'Export',
      defaultPath: '_.__wildcard_.example.com.csv',
      filters: CSV_FILTERS,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    } satisfies SaveDialogOptions);
    expect(readFileSync(target, 'utf8')).toBe('Template,Name\r\na,b\r\n');
    if (POSIX) expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['records.csv']);
  });

  it('opens a free-standing dialog when there is no window', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePath: join(dir, 'x.csv') });
    await createSaveFile(dialog, () => null)('x.csv', 'x', CSV_FILTERS);
    expect(calls[0]).toHaveLength(1);
    expect(calls[0]?.[0]).toMatchObject({ defaultPath: 'x.csv' });
  });

  it('writes nothing when the administrator cancels', async () => {
    const { dialog } = fakeDialog({ canceled: true, filePath: join(dir, 'x.csv') });
    expect(await createSaveFile(dialog, () => WINDOW)('x.csv', 'x', CSV_FILTERS)).toEqual({
      saved: false,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes nothing for an empty or relative answer from the dialog', async () => {
    for (const filePath of ['', 'relative/x.csv']) {
      const { dialog } = fakeDialog({ canceled: false, filePath });
      expect(await createSaveFile(dialog, () => WINDOW)('x.csv', 'x', CSV_FILTERS)).toEqual({
        saved: false,
      });
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces a file the administrator confirmed overwriting, whole, with mode 0600', async () => {
    const target = join(dir, 'records.csv');
    writeFileSync(target, 'old content that is longer than the new one', { mode: 0o644 });
    const { dialog } = fakeDialog({ canceled: false, filePath: target });
    await createSaveFile(dialog, () => WINDOW)('records.csv', 'new', CSV_FILTERS);
    expect(readFileSync(target, 'utf8')).toBe('new');
    if (POSIX) expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['records.csv']);
  });

  it('throws export-failed with the path when the folder is gone, leaving no temp file', async () => {
    const target = join(dir, 'missing', 'records.csv');
    const { dialog } = fakeDialog({ canceled: false, filePath: target });
    const attempt = createSaveFile(dialog, () => WINDOW)('records.csv', 'x', CSV_FILTERS);
    await expect(attempt).rejects.toBeInstanceOf(CertdeskError);
    await expect(attempt).rejects.toMatchObject({ code: 'export-failed' });
    await expect(attempt).rejects.toThrow(target);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('atomic writes', () => {
  it('removes its temp file and changes nothing when the final rename fails', async () => {
    // A folder where the file should go makes the rename fail after the temp file is written.
    const target = join(dir, 'records.csv');
    mkdirSync(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['records.csv']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('creates a new file with exactly the contents, mode 0600', async () => {
    const target = join(dir, 'zone.txt');
    await writeFileAtomic(target, 'ünïcode\n');
    expect(readFileSync(target, 'utf8')).toBe('ünïcode\n');
    if (POSIX) expect(statSync(target).mode & 0o777).toBe(0o600);
  });
});
