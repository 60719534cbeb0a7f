/**
 * File-system steps shared by the store's writer, its recovery and its lock: unique temp names,
 * fsync of a file and of a directory, a durable whole-file write, and an exclusive move that can
 * never replace an existing file.
 *
 * Every call goes through the `fs` and `fs/promises` module objects (not named imports), so a
 * test can spy on `fs.fsync` or `fsp.rename` and see the real call order.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

import { CertdeskError } from '../errors.ts';

/** Mode of every file the store creates: readable and writable by the user only. */
export const FILE_MODE = 0o600;

/** Mode of the store's directory. */
export const DIR_MODE = 0o700;

/**
 * A fresh temp name next to `path`: `<path>.<pid>.<random>.tmp`. Unique per call, so two writers
 * (or a crashed writer's leftover) never share a temp file.
 */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** True when `name` is a temp file made for `base`, its backup or its pre-migration copy. */
export function isTempNameOf(base: string, name: string): boolean {
  if (!name.startsWith(`${base}.`)) return false;
  return /^(bak\.|v\d+\.bak\.)?\d+\.[0-9a-f]{12}\.tmp$/.test(name.slice(base.length + 1));
}

/** Flushes an open file descriptor to stable storage. */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

/** Flushes an existing file (opened read-only for the purpose) to stable storage. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await fsp.open(path, 'r');
  try {
    await fsyncFd(handle.fd);
  } finally {
    await handle.close();
  }
}

/**
 * Makes renames and new names in `dir` durable. Skipped on Windows, where a directory cannot be
 * opened for fsync; file systems that do not support it (EINVAL, ENOTSUP) are tolerated.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    await fsyncPath(dir);
  } catch (error) {
    if (!hasCode(error, 'EINVAL', 'ENOTSUP')) throw error;
  }
}

/** Writes `text` to a new file `path` (which must not exist), mode 0600, then fsyncs it. */
export async function writeNewFileSynced(path: string, text: string | Uint8Array): Promise<void> {
  const handle = await fsp.open(path, 'wx', FILE_MODE);
  try {
    await handle.writeFile(text);
    await fsyncFd(handle.fd);
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `text` atomically and durably: temp file, fsync, rename, fsync of the
 * directory. On failure the temp file is removed and the original error rethrown; `path` is
 * then unchanged.
 */
export async function replaceFileDurably(path: string, text: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFileSynced(temp, text);
    await renameReplacing(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/**
 * Renames `from` over `to`. On Windows an antivirus or indexer briefly holding `to` makes rename
 * fail with EPERM/EACCES/EBUSY, so there it is retried a few times, 50 ms apart.
 */
export async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (error) {
      const transient = process.platform === 'win32' && hasCode(error, 'EPERM', 'EACCES', 'EBUSY');
      if (!transient || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Moves `from` to `to` without ever replacing an existing `to` (rejects with EEXIST instead):
 * a hard link then unlink, or, where links are not supported, an exclusive copy then unlink.
 */
export async function moveExclusive(from: string, to: string): Promise<void> {
  try {
    await fsp.link(from, to);
  } catch (error) {
    if (hasCode(error, 'EEXIST', 'ENOENT')) throw error;
    await fsp.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    await fsyncPath(to);
  }
  await fsp.unlink(from);
  await fsyncDir(dirname(to));
}

/** Deletes `path`, ignoring every error: used to clean up after a failure already reported. */
export async function removeQuietly(path: string): Promise<void> {
  await fsp.rm(path, { force: true }).catch(() => undefined);
}

/** Removes temp files that crashed writers left next to `path`; returns the names removed. */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const base = basename(path);
  const names = await fsp.readdir(dirname(path));
  const stale = names.filter((name) => isTempNameOf(base, name));
  for (const name of stale) await removeQuietly(join(dirname(path), name));
  return stale;
}

/** True when `error` is a Node system error with one of `codes`. */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/** What the OS said, in one line, for an administrator-facing message. */
export function osMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A 'store-failed' error naming the file and what the OS said. */
export function storeFailed(action: string, path: string, cause: unknown): CertdeskError {
  return new CertdeskError({
    code: 'store-failed',
    step: 'store',
    message: `Could not ${action} the Certdesk data file ${path}: ${osMessage(cause)}`,
    retryable: true,
    cause,
  });
}
