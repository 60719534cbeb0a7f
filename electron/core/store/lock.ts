/**
 * A cross-process lock on the store: the file `<data file>.lock` holds
 * `{pid, hostname, startedAt, heartbeat}`. Electron's single-instance lock covers only one
 * userData folder; this one also covers `--data-dir`, the test host and plain Node tools
 * (RELIABILITY L3).
 */
import fsp from 'node:fs/promises';
import { hostname } from 'node:os';

import { CertdeskError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import {
  hasCode,
  removeQuietly,
  storeFailed,
  tempPathFor,
  writeNewFileSynced,
} from './durable-fs.ts';

/** What a lock file says about its holder. */
export interface LockRecord {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  startedAt: string;
  /** When the holder last proved it is alive (ISO 8601); refreshed every `heartbeatMs`. */
  heartbeat: string;
}

/** How to take the lock. */
export interface LockOptions {
  /** The file to protect; the lock file is `<file>.lock`. */
  file: string;
  /** The folder named in the 'store-locked' message. */
  dir: string;
  logger?: Logger;
  /** How often the holder refreshes its heartbeat (default 5 s). */
  heartbeatMs?: number;
  /** A heartbeat older than this is stale and the lock may be taken over (default 20 s). */
  staleMs?: number;
}

/** A lock this process holds. */
export interface StoreLock {
  /** The lock file. */
  readonly path: string;
  /**
   * False once the heartbeat found the lock file gone or owned by another process (after this
   * process was frozen past the stale threshold, say); the store then refuses to write.
   */
  readonly held: boolean;
  /** Stops the heartbeat and deletes the lock file if it is still ours. Never rejects. */
  release(): Promise<void>;
}

const TAKEOVER_ATTEMPTS = 5;

/**
 * Takes the lock for `options.file`, failing fast with 'store-locked' when a live process holds
 * it: same host with the pid running and a fresh heartbeat, or another host with a fresh
 * heartbeat. A lock whose pid is gone (same host), whose heartbeat is stale, or whose file is
 * empty or damaged (a crash while writing it) is taken over with a warning in the log.
 */
export async function acquireStoreLock(options: LockOptions): Promise<StoreLock> {
  const path = `${options.file}.lock`;
  const logger = options.logger ?? silentLogger;
  const staleMs = options.staleMs ?? 20_000;
  const startedAt = new Date().toISOString();
  const record: LockRecord = { pid: process.pid, hostname: hostname(), startedAt, heartbeat: '' };
  for (let attempt = 1; attempt <= TAKEOVER_ATTEMPTS; attempt += 1) {
    record.heartbeat = new Date().toISOString();
    if (await createLockFile(path, record)) {
      return new HeldLock(path, record, logger, options.heartbeatMs ?? 5_000);
    }
    const text = await fsp.readFile(path, 'utf8').catch(() => null);
    if (text === null) continue; // released between our two steps: try again
    const holder = parseLockRecord(text);
    const staleReason = whyStale(holder, staleMs);
    if (staleReason === null) throw lockedError(options.dir, holder as LockRecord);
    logger.warn('taking over a stale store lock', { path, reason: staleReason });
    await removeIfUnchanged(path, text);
  }
  throw new CertdeskError({
    code: 'store-locked',
    step: 'store',
    message: `Could not lock ${options.dir}: its lock file kept changing; close other Certdesk windows and try again`,
  });
}

/** The lock record in `text`, or null when it is empty, truncated or not a lock record. */
export function parseLockRecord(text: string): LockRecord | null {
  try {
    const value = JSON.parse(text) as Partial<LockRecord> | null;
    if (typeof value !== 'object' || value === null) return null;
    const { pid, hostname: host, startedAt, heartbeat } = value;
    if (!Number.isInteger(pid) || typeof host !== 'string') return null;
    if (typeof startedAt !== 'string' || typeof heartbeat !== 'string') return null;
    return value as LockRecord;
  } catch {
    return null;
  }
}

/** Why `holder` may be taken over, or null when it is alive and must be respected. */
export function whyStale(holder: LockRecord | null, staleMs: number): string | null {
  if (holder === null) return 'the lock file is empty or damaged';
  const age = Date.now() - Date.parse(holder.heartbeat);
  if (!(age <= staleMs)) return `its heartbeat is ${Math.round(age / 1000)} s old`;
  if (holder.hostname === hostname() && !isProcessAlive(holder.pid)) {
    return `process ${holder.pid} is no longer running`;
  }
  return null;
}

/** True when a process with `pid` exists on this host (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasCode(error, 'EPERM');
  }
}

function lockedError(dir: string, holder: LockRecord): CertdeskError {
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  return new CertdeskError({
    code: 'store-locked',
    step: 'store',
    message: `Another Certdesk is already using ${dir} (process ${holder.pid}${where}); close it first`,
  });
}

// The record is written to a temp file and hard-linked into place, so the lock file never exists
// half-written; where links are unsupported an exclusive create is the fallback.
async function createLockFile(path: string, record: LockRecord): Promise<boolean> {
  const text = JSON.stringify(record);
  const temp = tempPathFor(path);
  try {
    await writeNewFileSynced(temp, text);
    await fsp.link(temp, path);
    return true;
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false;
    if (!hasCode(error, 'EPERM', 'ENOTSUP', 'EXDEV')) throw storeFailed('lock', path, error);
    return createLockFileExclusive(path, text);
  } finally {
    await removeQuietly(temp);
  }
}

async function createLockFileExclusive(path: string, text: string): Promise<boolean> {
  try {
    await writeNewFileSynced(path, text);
    return true;
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false;
    throw storeFailed('lock', path, error);
  }
}

/**
 * Deletes the lock file only if it still reads `expected`. It is first renamed to a private name,
 * so a racing process cannot swap it between our check and our delete; a lock that changed
 * meanwhile is linked back unless a newer one already took its place. Returns true if deleted.
 */
export async function removeIfUnchanged(path: string, expected: string): Promise<boolean> {
  const aside = tempPathFor(path);
  try {
    await fsp.rename(path, aside);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false;
    throw storeFailed('unlock', path, error);
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => null);
  if (moved !== expected) await fsp.link(aside, path).catch(() => undefined);
  await removeQuietly(aside);
  return moved === expected;
}

class HeldLock implements StoreLock {
  readonly path: string;
  held = true;
  readonly #record: LockRecord;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #beating: Promise<void> = Promise.resolve();

  constructor(path: string, record: LockRecord, logger: Logger, heartbeatMs: number) {
    this.path = path;
    this.#record = { ...record };
    this.#logger = logger;
    this.#timer = setInterval(() => {
      this.#beating = this.#beating.then(() => this.#beat());
    }, heartbeatMs);
    this.#timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    if (!this.held) return;
    this.held = false;
    const text = await fsp.readFile(this.path, 'utf8').catch(() => null);
    if (text !== null && this.#isOurs(text)) {
      await removeIfUnchanged(this.path, text).catch((error: unknown) => {
        this.#logger.warn('could not delete the store lock', {
          path: this.path,
          error: `${error}`,
        });
      });
    }
  }

  // Refreshed in place through one descriptor: the content checked is the content rewritten,
  // and an equal-length write over the old bytes never leaves the file empty.
  async #beat(): Promise<void> {
    if (!this.held) return;
    try {
      const handle = await fsp.open(this.path, 'r+');
      try {
        if (!this.#isOurs(await handle.readFile('utf8'))) return this.#lose();
        this.#record.heartbeat = new Date().toISOString();
        const bytes = Buffer.from(JSON.stringify(this.#record));
        await handle.write(bytes, 0, bytes.length, 0);
        await handle.truncate(bytes.length);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return this.#lose();
      this.#logger.warn('could not refresh the store lock', { path: this.path, error: `${error}` });
    }
  }

  #isOurs(text: string): boolean {
    const found = parseLockRecord(text);
    const mine = this.#record;
    return (
      found !== null &&
      found.pid === mine.pid &&
      found.hostname === mine.hostname &&
      found.startedAt === mine.startedAt
    );
  }

  #lose(): void {
    this.held = false;
    clearInterval(this.#timer);
    this.#logger.error('another process took over the store lock; saving is stopped', {
      path: this.path,
    });
  }
}
