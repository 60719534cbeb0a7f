/**
 * A small document schema for the store tests (three data versions, so migrations can be
 * exercised), temp folders, and a helper to spawn TypeScript child processes through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { DurableStoreOptions } from '../../../electron/core/store/index.ts';

/** One record of the test document. */
export interface TestItem {
  id: string;
  note: string;
}

/** The test document at data version 3. */
export interface TestDoc {
  version: number;
  seq: number;
  items: TestItem[];
}

export const TEST_VERSION = 3;

/** Throws a specific error unless `data` is a version 3 TestDoc. */
export function validateTestDoc(data: unknown): TestDoc {
  const doc = data as Partial<TestDoc> | null;
  if (typeof doc !== 'object' || doc === null) throw new Error('document is not an object');
  if (doc.version !== TEST_VERSION) throw new Error(`version must be ${TEST_VERSION}`);
  if (!Number.isInteger(doc.seq) || (doc.seq as number) < 0) throw new Error('seq is not a count');
  if (!Array.isArray(doc.items)) throw new Error('items is not a list');
  for (const item of doc.items) {
    if (typeof item?.id !== 'string' || item.id === '') throw new Error('an item has no id');
    if (typeof item.note !== 'string') throw new Error(`item ${item.id} has no note`);
  }
  return doc as TestDoc;
}

/** v1 `{entries: string[]}` → v2 `{items: {id}[]}` → v3 adds `seq` and a `note` per item. */
export const testMigrations = {
  2: (doc: { entries: string[] }) => ({ items: doc.entries.map((id) => ({ id })) }),
  3: (doc: { items: { id: string }[] }) => ({
    seq: 0,
    items: doc.items.map((item) => ({ ...item, note: '' })),
  }),
};

/** Options for a test store in `dir`; `extra` overrides any of them. */
export function testStoreOptions(
  dir: string,
  extra: Partial<DurableStoreOptions<TestDoc>> = {},
): DurableStoreOptions<TestDoc> {
  return {
    dir,
    schemaVersion: TEST_VERSION,
    migrations: testMigrations,
    validate: validateTestDoc,
    defaults: () => ({ version: TEST_VERSION, seq: 0, items: [] }),
    ...extra,
  };
}

/** A valid version 3 document as file text. */
export function docText(seq: number, ids: string[] = []): string {
  const items = ids.map((id) => ({ id, note: `note for ${id}` }));
  return `${JSON.stringify({ version: TEST_VERSION, seq, items })}\n`;
}

/** A fresh, empty temp folder; remove it with removeDir(). */
export function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'certdesk-store-'));
}

/** Removes a temp folder and everything in it. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** The folder's entries, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** The file's bytes. */
export function bytesOf(path: string): Promise<Buffer> {
  return readFile(path);
}

/** The repository root, where `--import tsx` resolves. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Starts a TypeScript file in a new Node process through tsx, stdout and stderr piped. */
export function spawnTs(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line of `child` that starts with `prefix`. */
export function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith(prefix));
      if (line === undefined) return;
      child.stdout?.off('data', onData);
      resolveLine(line);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`child exited (${code}) before "${prefix}": ${stderr}`)),
    );
  });
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}
