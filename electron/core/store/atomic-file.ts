/**
 * A lowdb adapter that writes a JSON file atomically and durably, keeping the previous good file
 * as `<file>.bak`. lowdb's own JSONFile (steno) renames a fixed temp name and never fsyncs, so a
 * power loss can leave an empty or NUL-filled file (RELIABILITY L1); this one does not.
 */
import fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

import { CertdeskError } from '../errors.ts';
import {
  fsyncDir,
  fsyncPath,
  hasCode,
  osMessage,
  removeQuietly,
  renameReplacing,
  storeFailed,
  tempPathFor,
  writeNewFileSynced,
} from './durable-fs.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Writes waiting for the one in flight: the latest data wins, every waiter shares the outcome. */
interface PendingWrite<T> {
  data: T;
  waiters: Waiter[];
}

/**
 * Atomic, durable JSON file for lowdb's `Low`.
 *
 * Contract:
 * - `write()` never interleaves with another write of the same instance. A write requested while
 *   one is in flight joins ONE follow-up write, which serializes the data of the latest request
 *   when it starts; each caller's promise resolves only once data including its change is on
 *   disk (fsynced file, renamed into place, directory fsynced), and rejects with a
 *   `CertdeskError` code 'store-failed' naming the file and the OS error otherwise. A failed
 *   write leaves the file as it was and removes its temp file. Nothing retries on its own: the
 *   next write() carries the whole document again.
 * - Each write first hard-links (or, where links fail, copies) the current file to `<file>.bak`,
 *   so the backup is always the previous complete file.
 * - The file is compact JSON plus a newline: one serialization per write, fast enough for
 *   10 MB documents; it is not meant to be edited by hand (pretty-print it with `jq .`).
 * - One instance per file and process; other processes must be kept out by a lock (lock.ts).
 */
export class AtomicFile<T> implements Adapter<T> {
  /** The data file. */
  readonly path: string;
  /** Where the previous good file is kept. */
  readonly backupPath: string;
  #next: PendingWrite<T> | null = null;
  #draining: Promise<void> | null = null;
  readonly #serialize: (data: T) => string;

  /**
   * `serialize` turns the data into the file's JSON text (default JSON.stringify); the durable
   * store passes stringifyDocument (serialize.ts), which is only right for data whose objects
   * are never changed in place.
   */
  constructor(path: string, serialize: (data: T) => string = (data) => JSON.stringify(data)) {
    this.path = path;
    this.backupPath = `${path}.bak`;
    this.#serialize = serialize;
  }

  /**
   * The parsed file, or null when it does not exist. Rejects with 'store-unreadable' when it is
   * not JSON and 'store-failed' when the OS refuses the read; it never changes the file.
   */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fsp.readFile(this.path, 'utf8');
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return null;
      throw storeFailed('read', this.path, error);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new CertdeskError({
        code: 'store-unreadable',
        step: 'store',
        message: `The Certdesk data file ${this.path} is not valid JSON: ${osMessage(error)}`,
        cause: error,
      });
    }
  }

  /** Saves `data` (see the class contract for ordering, coalescing and errors). */
  write(data: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#next) {
        this.#next.data = data;
        this.#next.waiters.push(waiter);
      } else {
        this.#next = { data, waiters: [waiter] };
      }
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once no write is in flight or waiting; never rejects (writers see their errors). */
  async flush(): Promise<void> {
    await this.#draining;
  }

  async #drain(): Promise<void> {
    while (this.#next) {
      const batch = this.#next;
      this.#next = null;
      try {
        await this.#commit(batch.data);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error);
      }
    }
    this.#draining = null;
  }

  // Order matters: the new content is on disk before the backup moves and before the rename,
  // and the directory fsync makes both renames survive a power loss.
  async #commit(data: T): Promise<void> {
    const temp = tempPathFor(this.path);
    const backupTemp = tempPathFor(this.backupPath);
    try {
      const text = `${this.#serialize(data)}\n`;
      await writeNewFileSynced(temp, text);
      await this.#keepBackup(backupTemp);
      await renameReplacing(temp, this.path);
      await fsyncDir(dirname(this.path));
    } catch (error) {
      await removeQuietly(temp);
      await removeQuietly(backupTemp);
      throw storeFailed('save', this.path, error);
    }
  }

  // A hard link costs nothing and is safe because the data file is only ever replaced, never
  // written in place. Links fail on some file systems (FAT, some network shares): copy there.
  async #keepBackup(backupTemp: string): Promise<void> {
    try {
      await fsp.link(this.path, backupTemp);
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return; // first write: no previous file to keep
      await fsp.copyFile(this.path, backupTemp);
      await fsyncPath(backupTemp);
    }
    await renameReplacing(backupTemp, this.backupPath);
    // rename() does nothing when both names are already links to the same file.
    await removeQuietly(backupTemp);
  }
}
