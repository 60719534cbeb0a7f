import { describe, it, expect, afterEach } from 'vitest';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { openDurableStore } from '../../../electron/core/store/index.ts';
import {
  bytesOf,
  docText,
  listDir,
  makeTempDir,
  removeDir,
  testMigrations,
  testStoreOptions,
  validateTestDoc,
} from './fixtures.ts';

const dirs: string[] = [];
const now = () => new Date('2030-01-02T03:04:05.678Z');
const stamp = '2030-01-02T03-04-05-678Z';

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

const corruptInputs: [string, Buffer, string][] = [
  ['an empty file', Buffer.alloc(0), 'it is empty'],
  ['4 KB of NUL bytes', Buffer.alloc(4096), 'NUL bytes'],
  ['truncated JSON', Buffer.from(docText(7, ['a', 'b']).slice(0, 30)), 'not valid JSON'],
  [
    'valid JSON failing validation',
    Buffer.from(JSON.stringify({ version: 3, seq: 1, items: [{ id: 'x' }] })),
    'item x has no note',
  ],
];

describe('opening a damaged store', () => {
  it.each(corruptInputs)(
    'moves %s aside byte-identical and restores the backup with a warning',
    async (_what, bad, reason) => {
      const dir = await tempDir();
      const path = join(dir, 'certdesk.json');
      await writeFile(path, bad);
      await writeFile(`${path}.bak`, docText(41, ['from-backup']));

      const store = await openDurableStore(testStoreOptions(dir, { now }));
      const movedTo = `${path}.corrupt-${stamp}`;
      expect(await bytesOf(movedTo)).toEqual(bad);
      expect(store.data.seq).toBe(41);
      expect(store.data.items.map((item) => item.id)).toEqual(['from-backup']);
      expect(validateTestDoc(JSON.parse(await readFile(path, 'utf8'))).seq).toBe(41);
      expect(store.notices).toHaveLength(1);
      expect(store.notices[0]).toMatchObject({ level: 'warning', at: now().toISOString() });
      expect(store.notices[0]?.message).toContain(movedTo);
      expect(store.notices[0]?.message).toContain(reason);
      await store.close();
    },
  );

  it.each(corruptInputs)(
    'moves %s aside and starts from defaults with an error when no backup exists',
    async (_what, bad, reason) => {
      const dir = await tempDir();
      const path = join(dir, 'certdesk.json');
      await writeFile(path, bad);

      const store = await openDurableStore(testStoreOptions(dir, { now }));
      const movedTo = `${path}.corrupt-${stamp}`;
      expect(await bytesOf(movedTo)).toEqual(bad);
      expect(store.data).toEqual({ version: 3, seq: 0, items: [] });
      expect(store.notices).toEqual([
        { level: 'error', at: now().toISOString(), message: expect.stringContaining(movedTo) },
      ]);
      expect(store.notices[0]?.message).toContain(reason);
      await store.update((draft) => void (draft.seq = 1));
      await store.close();
      expect(await bytesOf(movedTo)).toEqual(bad);
    },
  );

  it('moves a damaged backup aside too and names both files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    await writeFile(path, '');
    await writeFile(`${path}.bak`, Buffer.alloc(512));
    const store = await openDurableStore(testStoreOptions(dir, { now }));
    expect(await bytesOf(`${path}.bak.corrupt-${stamp}`)).toEqual(Buffer.alloc(512));
    expect(store.notices[0]?.level).toBe('error');
    expect(store.notices[0]?.message).toContain(
      `${path}.corrupt-${stamp} and ${path}.bak.corrupt-`,
    );
    await store.close();
  });

  it('never overwrites an earlier corrupt copy with the same timestamp', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    await writeFile(`${path}.corrupt-${stamp}`, 'earlier damage');
    await writeFile(path, 'later damage');
    const store = await openDurableStore(testStoreOptions(dir, { now }));
    expect(await readFile(`${path}.corrupt-${stamp}`, 'utf8')).toBe('earlier damage');
    expect(await readFile(`${path}.corrupt-${stamp}-2`, 'utf8')).toBe('later damage');
    await store.close();
  });

  it('restores the backup with a warning when the data file is missing but a backup exists', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    await writeFile(`${path}.bak`, docText(5, ['kept']));
    const store = await openDurableStore(testStoreOptions(dir, { now }));
    expect(store.data.seq).toBe(5);
    expect(store.notices.map((n) => n.level)).toEqual(['warning']);
    expect(store.notices[0]?.message).toContain('was missing');
    await store.close();
  });

  it('refuses a file from a newer version, names the version, and touches nothing', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    const newer = JSON.stringify({ version: 9, seq: 1, items: [], futureField: true });
    await writeFile(path, newer);
    await writeFile(`${path}.bak`, docText(3));
    const before = await listDir(dir);

    const opening = openDurableStore(testStoreOptions(dir, { now }));
    await expect(opening).rejects.toMatchObject({ code: 'store-newer-version' });
    await expect(opening).rejects.toThrow(/data version 9.*reads data version 3 at most/);
    expect(await readFile(path, 'utf8')).toBe(newer);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(docText(3));
    expect(await listDir(dir)).toEqual(before);
  });
});

describe('opening a store', () => {
  it('creates a new store with defaults in a private folder', async () => {
    const dir = join(await tempDir(), 'nested', 'data');
    const store = await openDurableStore(testStoreOptions(dir));
    expect(store.data).toEqual({ version: 3, seq: 0, items: [] });
    expect(store.notices).toEqual([]);
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual(store.data);
    if (process.platform !== 'win32') expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await store.close();
    expect(await listDir(dir)).toEqual(['certdesk.json']);
  });

  it('runs migrations in order from version 1 to 3 and keeps the pre-migration file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    const original = `${JSON.stringify({ version: 1, entries: ['a.example', 'b.example'] })}\n`;
    await writeFile(path, original);
    const calls: number[] = [];
    const migrations = {
      2: (doc: { version: number; entries: string[] }) => {
        calls.push(doc.version);
        return testMigrations[2](doc);
      },
      3: (doc: { version: number; items: { id: string }[] }) => {
        calls.push(doc.version);
        return testMigrations[3](doc);
      },
    };

    const store = await openDurableStore(testStoreOptions(dir, { migrations, now }));
    expect(calls).toEqual([1, 2]);
    expect(store.data).toEqual({
      version: 3,
      seq: 0,
      items: [
        { id: 'a.example', note: '' },
        { id: 'b.example', note: '' },
      ],
    });
    expect(await readFile(`${path}.v1.bak`, 'utf8')).toBe(original);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(store.data);
    expect(store.notices).toEqual([
      {
        level: 'info',
        at: now().toISOString(),
        message: expect.stringContaining(`${path}.v1.bak`),
      },
    ]);
    await store.close();
  });

  it('refuses to open, touching nothing, when a migration step is missing', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    const original = JSON.stringify({ version: 1, entries: [] });
    await writeFile(path, original);
    const opening = openDurableStore(
      testStoreOptions(dir, { migrations: { 3: testMigrations[3] } }),
    );
    await expect(opening).rejects.toMatchObject({ code: 'store-migration-failed' });
    await expect(opening).rejects.toThrow('from data version 1 to 2');
    expect(await readFile(path, 'utf8')).toBe(original);
    expect(await listDir(dir)).toEqual(['certdesk.json']);
  });

  it('never loads a temp file left by an interrupted save, and removes it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json');
    await writeFile(path, docText(3));
    await writeFile(`${path}.12345.0123456789ab.tmp`, docText(999));
    await writeFile(`${path}.bak.12345.0123456789ab.tmp`, docText(998));
    await writeFile(`${path}.v1.bak.12345.0123456789ab.tmp`, docText(997));
    const store = await openDurableStore(testStoreOptions(dir));
    expect(store.data.seq).toBe(3);
    expect(await listDir(dir)).toEqual(['certdesk.json', 'certdesk.json.lock']);
    await store.close();
  });

  it('round-trips 10,000 records of about 1 KB', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    await store.update((draft) => {
      for (let i = 0; i < 10_000; i += 1)
        draft.items.push({ id: `t-${i}`, note: 'n'.repeat(1000) });
    });
    await store.close();
    const reopened = await openDurableStore(testStoreOptions(dir));
    expect(reopened.data.items).toHaveLength(10_000);
    expect(reopened.data.items[9_999]).toEqual({ id: 't-9999', note: 'n'.repeat(1000) });
    expect(reopened.notices).toEqual([]);
    await reopened.close();
  });
});

describe('updating a store', () => {
  it('writes nothing and keeps the data when the mutator throws', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    await store.update((draft) => void draft.items.push({ id: 'kept', note: '' }));
    const before = await bytesOf(store.path);
    const dataBefore = store.data;
    const failing = store.update((draft) => {
      draft.items.push({ id: 'half-done', note: '' });
      draft.seq = 77;
      throw new Error('mutator gave up');
    });
    await expect(failing).rejects.toThrow('mutator gave up');
    expect(store.data).toBe(dataBefore);
    expect(store.data).toEqual({ version: 3, seq: 0, items: [{ id: 'kept', note: '' }] });
    expect(await bytesOf(store.path)).toEqual(before);
    await store.close();
  });

  it('runs async mutators one at a time, each on the result of the one before', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    const slow = store.update(async (draft) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      draft.seq += 1;
    });
    const fast = store.update((draft) => void (draft.seq *= 10));
    await Promise.all([slow, fast]);
    expect(store.data.seq).toBe(10);
    expect(validateTestDoc(JSON.parse(await readFile(store.path, 'utf8'))).seq).toBe(10);
    await store.close();
  });

  it('stops saving once another process has taken the folder lock over', async () => {
    const dir = await tempDir();
    const lockTiming = { heartbeatMs: 10 };
    const store = await openDurableStore(testStoreOptions(dir, { lockTiming }));
    await store.update((draft) => void (draft.seq = 1));
    const before = await bytesOf(store.path);
    const theirs = JSON.stringify({
      pid: process.ppid,
      hostname: hostname(),
      startedAt: 'x',
      heartbeat: new Date().toISOString(),
    });
    await writeFile(`${store.path}.lock`, theirs);

    let refusal: unknown;
    for (let i = 0; i < 500 && refusal === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await store.update(() => undefined).catch((error: unknown) => (refusal = error));
    }
    expect(refusal).toMatchObject({ code: 'store-locked', message: expect.stringContaining(dir) });
    await expect(store.update((draft) => void (draft.seq = 2))).rejects.toMatchObject({
      code: 'store-locked',
    });
    expect(await bytesOf(store.path)).toEqual(before);
    await store.close();
    expect(await readFile(`${store.path}.lock`, 'utf8')).toBe(theirs);
  });

  it('refuses updates after close and releases the folder for the next open', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    const pending = store.update((draft) => void (draft.seq = 5));
    await store.close();
    await pending;
    await expect(store.update((draft) => void (draft.seq = 6))).rejects.toMatchObject({
      code: 'store-closed',
    });
    const reopened = await openDurableStore(testStoreOptions(dir));
    expect(reopened.data.seq).toBe(5);
    await reopened.close();
  });
});
