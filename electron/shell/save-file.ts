/**
 * The Electron implementation of the core's SaveFile: main owns the native save dialog and
 * the path; the renderer only suggests a name, which is sanitized first (RELIABILITY I4).
 * The chosen file is written atomically (private temp file, fsync, rename, fsync of the
 * folder) with mode 0600, so a crash leaves either the old file or the whole new one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { BaseWindow, Dialog, SaveDialogOptions } from 'electron';
import { CertdeskError } from '../core/errors.ts';
import type { SaveFile } from '../core/index.ts';
import type { Logger } from '../core/log.ts';
import { sanitizeFileName } from './filename.ts';

/** The dialog calls this module makes; tests pass a stand-in. */
export type SaveDialog = Pick<Dialog, 'showSaveDialog'>;

/** Flushes a folder's entry for a renamed file; some platforms cannot, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `contents` atomically, mode 0600. The temp file sits beside the target
 * (same filesystem, so rename is atomic) and is removed when anything fails.
 */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Creates the SaveFile the core calls for exports. It opens the save dialog on `getWindow()`
 * (modal to it when it exists) with the sanitized suggestion and the filters; a cancelled
 * dialog resolves `{ saved: false }` and writes nothing. The platform dialog asks before
 * replacing an existing file. A write failure throws CertdeskError `export-failed`.
 */
export function createSaveFile(
  dialog: SaveDialog,
  getWindow: () => BaseWindow | null,
  logger?: Logger,
): SaveFile {
  return async (suggestedName, contents, filters) => {
    const options: SaveDialogOptions = {
      title: 'Export',
      defaultPath: sanitizeFileName(suggestedName),
      filters,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const window = getWindow();
    const choice = window
      ? await dialog.showSaveDialog(window, options)
      : await dialog.showSaveDialog(options);
    // The dialog answers an absolute path; anything else is not a choice we can trust.
    if (choice.canceled || !choice.filePath || !isAbsolute(choice.filePath))
      return { saved: false };
    const path = resolve(choice.filePath);
    try {
      await writeFileAtomic(path, contents);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'an unknown error';
      logger?.error('export could not be written', { path, reason });
      throw new CertdeskError({
        code: 'export-failed',
        message: `Certdesk could not write ${path} (${reason}); check that the folder exists and is writable.`,
        cause: error,
      });
    }
    return { saved: true, path };
  };
}
