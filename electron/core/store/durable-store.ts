/**
 * The durable store: one JSON document in a folder, held by lowdb's `Low` over an AtomicFile,
 * guarded by a cross-process lock, recovered from its backup when unreadable, migrated when old.
 */
import fsp from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';

import { CertdeskError, isCertdeskError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { AtomicFile } from './atomic-file.ts';
import { produce } from './drafts.ts';
import { stringifyDocument } from './serialize.ts';
import { DIR_MODE, osMessage, removeStaleTempFiles, storeFailed } from './durable-fs.ts';
import type { Migration } from './load.ts';
import { acquireStoreLock, type LockOptions, type StoreLock } from './lock.ts';
import { loadOrRecover, type StoreNotice } from './recover.ts';

/** How to open a store. */
export interface DurableStoreOptions<T extends { version: number }> {
  /** The folder holding the data file, its backup and its lock; created with mode 0700. */
  dir: string;
  /** The data file's name inside `dir` (default 'certdesk.json'); no path separators. */
  fileName?: string;
  /** The data version this build reads and writes. */
  schemaVersion: number;
  /** Migration N upgrades a version N-1 document to N; its result gets `version: N`. */
  migrations: Record<number, Migration>;
  /** Returns the document when valid (possibly normalized), throws when not. */
  validate: (data: unknown) => T;
  /** A fresh document for a new store, or when no readable copy exists. */
  defaults: () => T;
  logger?: Logger;
  /** The clock for notices and corrupt-file names (tests pin it). */
  now?: () => Date;
  /** Heartbeat and staleness of the folder lock (defaults 5 s and 20 s); tests shorten them. */
  lockTiming?: Pick<LockOptions, 'heartbeatMs' | 'staleMs'>;
}

/**
 * An open store. One per folder across all processes (the lock enforces it).
 *
 * - `data` is the current document. Read it again after each update (updates swap the object);
 *   never change it directly: only update() validates and saves.
 * - `update()` calls run one at a time, in call order, each on a copy-on-write draft of the
 *   document left by the previous one; see update() for what is saved and when. Objects the
 *   document holds are never changed afterwards: a changed object is replaced by a copy, and
 *   an object that did not change is the same object in the next document.
 */
export interface Store<T> {
  readonly data: T;
  /** What the administrator must be told about this opening (recovery, upgrade). */
  readonly notices: readonly StoreNotice[];
  /** The data file. */
  readonly path: string;
  /**
   * Runs `mutator` on a draft of the document, validates the result and makes it current, then
   * resolves once a file containing the change is on disk. If the mutator throws, or the result
   * fails validation ('store-invalid'), nothing changes and nothing is written. If the save
   * fails ('store-failed'), the change stays in memory and goes out with the next update or
   * close(); the caller reports it, and need not retry. After close(): 'store-closed'.
   */
  update(mutator: (draft: T) => void | Promise<void>): Promise<void>;
  /** Finishes queued updates and writes, releases the lock. Idempotent; never rejects. */
  close(): Promise<void>;
}

/**
 * Opens (creating when absent) the store in `options.dir`. Rejects with 'store-locked' when
 * another live process holds it, 'store-newer-version' or 'store-migration-failed' (files left
 * untouched), or 'store-failed' when the OS refuses. Recovery from an unreadable file succeeds
 * with a notice in `notices`.
 */
export async function openDurableStore<T extends { version: number }>(
  options: DurableStoreOptions<T>,
): Promise<Store<T>> {
  const fileName = options.fileName ?? 'certdesk.json';
  if (!/^[^/\\]+$/.test(fileName) || fileName === '.' || fileName === '..') {
    throw new TypeError(`fileName must be a plain file name, got ${JSON.stringify(fileName)}`);
  }
  const logger = options.logger ?? silentLogger;
  const path = join(options.dir, fileName);
  await fsp.mkdir(options.dir, { recursive: true, mode: DIR_MODE }).catch((error: unknown) => {
    throw storeFailed('create the folder for', path, error);
  });
  const lock = await acquireStoreLock({
    ...options.lockTiming,
    file: path,
    dir: options.dir,
    logger,
  });
  try {
    const stale = await removeStaleTempFiles(path);
    if (stale.length > 0) logger.info('removed temp files of an interrupted save', { path });
    // Safe because the store never changes an object it holds (see Store and drafts.ts).
    const file = new AtomicFile<T>(path, stringifyDocument);
    const notices: StoreNotice[] = [];
    const { schemaVersion, migrations, validate, defaults } = options;
    const now = options.now ?? (() => new Date());
    const schema = { schemaVersion, migrations, validate };
    const data = await loadOrRecover({ file, schema, defaults, logger, now, notices });
    return new DurableStore(file, data, { validate, lock, notices, logger, dir: options.dir });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

interface StoreParts<T> {
  validate: (data: unknown) => T;
  lock: StoreLock;
  notices: StoreNotice[];
  logger: Logger;
  dir: string;
}

/** A queued update, once applied: `saved` settles when its write does. */
interface Applied {
  saved: Promise<void>;
}

class DurableStore<T extends { version: number }> implements Store<T> {
  readonly path: string;
  readonly notices: readonly StoreNotice[];
  readonly #low: Low<T>;
  readonly #file: AtomicFile<T>;
  readonly #parts: StoreParts<T>;
  #queue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | null = null;
  #unsaved = false;

  constructor(file: AtomicFile<T>, data: T, parts: StoreParts<T>) {
    this.path = file.path;
    this.notices = parts.notices;
    this.#file = file;
    this.#low = new Low<T>(file, data);
    this.#parts = parts;
  }

  get data(): T {
    return this.#low.data;
  }

  async update(mutator: (draft: T) => void | Promise<void>): Promise<void> {
    if (this.#closing) throw this.#closedError();
    const step = this.#queue.then(() => this.#apply(mutator));
    this.#queue = step.catch(() => undefined);
    const { saved } = await step;
    await saved;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  // Runs inside the queue, so the draft is of the previous update's result. It is copy-on-write
  // (drafts.ts): only what the mutator changes is copied, the rest is shared with the current
  // document. The save is started here, not awaited, so the next update can be applied while
  // this one is being written.
  async #apply(mutator: (draft: T) => void | Promise<void>): Promise<Applied> {
    if (!this.#parts.lock.held) throw this.#lockLostError();
    const next = await produce(this.#low.data, mutator);
    this.#low.data = this.#validate(next);
    const saved = this.#low.write().then(
      () => {
        this.#unsaved = false;
      },
      (error: unknown) => {
        this.#unsaved = true;
        throw error;
      },
    );
    saved.catch(() => undefined); // the caller of update() receives the error
    return { saved };
  }

  #validate(draft: T): T {
    try {
      return this.#parts.validate(draft);
    } catch (error) {
      if (isCertdeskError(error)) throw error;
      throw new CertdeskError({
        code: 'store-invalid',
        step: 'store',
        message: `The change was not saved: it does not match the expected layout (${osMessage(error)})`,
        cause: error,
      });
    }
  }

  async #shutdown(): Promise<void> {
    await this.#queue;
    await this.#file.flush();
    if (this.#unsaved && this.#parts.lock.held) {
      await this.#low.write().catch((error: unknown) => {
        this.#parts.logger.error('could not save the last changes on close', {
          path: this.path,
          error: osMessage(error),
        });
      });
    }
    await this.#parts.lock.release();
  }

  #closedError(): CertdeskError {
    return new CertdeskError({
      code: 'store-closed',
      step: 'store',
      message: `The Certdesk data file ${this.path} is closed; the change was not saved`,
    });
  }

  #lockLostError(): CertdeskError {
    return new CertdeskError({
      code: 'store-locked',
      step: 'store',
      message: `Another process took over ${this.#parts.dir}, so Certdesk stopped saving there; restart Certdesk`,
    });
  }
}
