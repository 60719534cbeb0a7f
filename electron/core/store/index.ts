/**
 * The durable store: Certdesk's state as one JSON document on disk, behind lowdb.
 *
 * The contract, for every service that keeps data here:
 *
 * - One writer. A store folder belongs to one open Store in one process at a time; a second
 *   openDurableStore() on the same folder, from this process or another, fails at once with
 *   'store-locked' naming the holder's process. A holder that died (or froze for longer than the
 *   stale threshold) is replaced automatically, with a warning in the log, never silently.
 * - Reads are plain property access on `store.data`, always the latest accepted document. There
 *   is no "not found" error: a record that does not exist is simply absent from the document
 *   (undefined, or missing from its list), and each service decides what that means. Read
 *   `store.data` again after every await; never mutate it.
 * - Writes go through `update()`, which is serialized: mutators run one at a time, in call order,
 *   each on a copy of the result of the one before, so they never see each other half-done. A
 *   mutator may be async, but it holds up every later update while it runs: do slow work (DNS,
 *   the CA, the keychain) before calling update(), then re-check what you read inside it.
 *   Concurrent updates share one disk write; each promise resolves only once a file containing
 *   its change is durable (fsync of the file and of its folder).
 * - Every document is validated before it is kept; an invalid result, or a mutator that throws,
 *   changes nothing in memory or on disk. Secrets and private keys never belong here.
 * - Nobody retries inside the store. A failed save rejects with 'store-failed' (which file, what
 *   the OS said) and leaves the previous file intact; the change stays in memory and is carried
 *   by the next update or by close(). The caller tells the administrator; retrying the same
 *   mutation is not needed and would apply it twice.
 * - Opening never loses data: an unreadable file is moved aside byte-identical to
 *   `<file>.corrupt-<timestamp>` and the backup `<file>.bak` (the file before the last save) is
 *   restored, or, failing that, defaults are used; either way `store.notices` says so and where
 *   the bad file went, and the UI must show it. A file from a newer Certdesk is refused, untouched.
 * - Objects the store holds are never changed in place: update() works on a copy-on-write
 *   draft, so a changed object is replaced by a copy and an unchanged one stays the very same
 *   object in the next document. Validation and serialization rely on that (an unchanged
 *   template is neither checked nor serialized again), so never change `store.data` directly.
 * - The file is compact JSON (no pretty-printing keeps a 10 MB document fast); mode 0600 in a
 *   0700 folder.
 */
export { AtomicFile } from './atomic-file.ts';
export { openDurableStore, type DurableStoreOptions, type Store } from './durable-store.ts';
export type { Migration } from './load.ts';
export { acquireStoreLock, type LockOptions, type LockRecord, type StoreLock } from './lock.ts';
export type { StoreNotice } from './recover.ts';
