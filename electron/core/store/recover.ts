/**
 * Opening a store file safely: load it, or, when it cannot be used, move it aside untouched and
 * fall back to the backup, then to defaults, telling the administrator every time
 * (RELIABILITY L2). The lowdb trap of `db.data ||= defaults` over an unreadable file cannot
 * happen here: nothing is written until the bad file has been moved out of the way.
 */
import { basename } from 'node:path';

import type { Logger } from '../log.ts';
import type { AtomicFile } from './atomic-file.ts';
import { hasCode, moveExclusive, replaceFileDurably, storeFailed } from './durable-fs.ts';
import { loadCandidate, type Candidate, type DocumentSchema } from './load.ts';

/** Something the administrator must be told about the store, recorded when it was opened. */
export interface StoreNotice {
  level: 'info' | 'warning' | 'error';
  /** A full sentence: what happened, and where any moved file now is. */
  message: string;
  /** When it happened (ISO 8601). */
  at: string;
}

/** What opening needs besides the schema. */
export interface RecoveryContext<T extends { version: number }> {
  file: AtomicFile<T>;
  schema: DocumentSchema<T>;
  defaults: () => T;
  logger: Logger;
  now: () => Date;
  /** Receives every notice, in order. */
  notices: StoreNotice[];
}

/**
 * The document to start with, saved durably before this resolves. A bad data file (or backup)
 * is moved to `<name>.corrupt-<timestamp>` byte-identical, never overwritten or deleted.
 */
export async function loadOrRecover<T extends { version: number }>(
  context: RecoveryContext<T>,
): Promise<T> {
  const { file, schema } = context;
  const primary = await loadCandidate(file.path, schema);
  if (primary.kind === 'good') return adopt(context, primary, file.path);
  const primaryMovedTo = primary.kind === 'bad' ? await moveAside(context, file.path) : null;
  const backup = await loadCandidate(file.backupPath, schema);
  if (backup.kind === 'good') {
    const data = await adopt(context, backup, file.backupPath);
    notify(context, 'warning', restoredMessage(file, primary, primaryMovedTo));
    return data;
  }
  const backupMovedTo = backup.kind === 'bad' ? await moveAside(context, file.backupPath) : null;
  const data = schema.validate(context.defaults());
  await file.write(data);
  if (primaryMovedTo || backupMovedTo) {
    notify(context, 'error', lostMessage(file, primary, primaryMovedTo, backupMovedTo));
  } else {
    context.logger.info('created a new data file', { path: file.path });
  }
  return data;
}

// A good document becomes the data file; an older one keeps its original bytes as
// `<file>.v<old>.bak` before the upgraded document replaces anything.
async function adopt<T extends { version: number }>(
  context: RecoveryContext<T>,
  candidate: Extract<Candidate<T>, { kind: 'good' }>,
  from: string,
): Promise<T> {
  const { file, schema } = context;
  if (candidate.fromVersion < schema.schemaVersion) {
    const copy = `${file.path}.v${candidate.fromVersion}.bak`;
    await replaceFileDurably(copy, candidate.bytes).catch((error: unknown) => {
      throw storeFailed('keep a copy of', copy, error);
    });
    await file.write(candidate.data);
    const message = `Certdesk upgraded its data file ${file.path} from data version ${candidate.fromVersion} to ${schema.schemaVersion}; the previous file was kept as ${copy}.`;
    notify(context, 'info', message);
  } else if (from !== file.path) {
    await file.write(candidate.data);
  }
  return candidate.data;
}

/**
 * Moves `path` to `<path>.corrupt-<timestamp>` (`-2`, `-3`... when taken) and returns the new
 * name. Rejects with 'store-failed' when it cannot: the caller must then stop, not write.
 */
async function moveAside<T extends { version: number }>(
  context: RecoveryContext<T>,
  path: string,
): Promise<string> {
  const stamp = context.now().toISOString().replace(/[:.]/g, '-');
  for (let n = 1; n <= 100; n += 1) {
    const target = `${path}.corrupt-${stamp}${n === 1 ? '' : `-${n}`}`;
    try {
      await moveExclusive(path, target);
      context.logger.warn('moved an unreadable data file aside', { path, movedTo: target });
      return target;
    } catch (error) {
      if (!hasCode(error, 'EEXIST')) throw storeFailed('move aside', path, error);
    }
  }
  throw storeFailed('move aside', path, new Error('every corrupt-file name is taken'));
}

function notify<T extends { version: number }>(
  context: RecoveryContext<T>,
  level: StoreNotice['level'],
  message: string,
): void {
  context.notices.push({ level, message, at: context.now().toISOString() });
  if (level === 'error') context.logger.error('store notice', { message });
  if (level === 'warning') context.logger.warn('store notice', { message });
}

function restoredMessage<T>(
  file: AtomicFile<T>,
  primary: Candidate<T>,
  movedTo: string | null,
): string {
  const backup = basename(file.backupPath);
  if (primary.kind !== 'bad' || movedTo === null) {
    return `Certdesk's data file ${file.path} was missing, so the last good copy (${backup}) was restored; the most recent change may be missing.`;
  }
  return `Certdesk could not read its data file ${file.path} (${primary.reason}). The damaged file was moved unchanged to ${movedTo} and the last good copy (${backup}) was restored; the most recent change may be missing.`;
}

function lostMessage<T>(
  file: AtomicFile<T>,
  primary: Candidate<T>,
  primaryMovedTo: string | null,
  backupMovedTo: string | null,
): string {
  const why =
    primary.kind === 'bad'
      ? `could not read its data file ${file.path} (${primary.reason})`
      : `found no data file at ${file.path}`;
  const moved = [primaryMovedTo, backupMovedTo].filter((p): p is string => p !== null);
  const backupState = backupMovedTo ? 'its backup is damaged too' : 'there is no backup';
  return `Certdesk ${why} and ${backupState}, so it started with empty data. The unreadable ${moved.length > 1 ? 'files were' : 'file was'} moved unchanged to ${moved.join(' and ')}; keep ${moved.length > 1 ? 'them' : 'it'}, the data may still be recovered by hand.`;
}
