import { describe, it, expect, vi, afterEach } from 'vitest';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AtomicFile, openDurableStore } from '../../../electron/core/store/index.ts';
import {
  bytesOf,
  listDir,
  makeTempDir,
  removeDir,
  testStoreOptions,
  validateTestDoc,
  type TestDoc,
} from './fixtures.ts';

const dirs: string[] = [];
const posix = process.platform !== 'win32';

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(dirs.splice(0).map(removeDir));
});

function doc(seq: number): TestDoc {
  return { version: 3, seq, items: [{ id: `item-${seq}`, note: '' }] };
}

function osError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure, ${syscall}`), { code, syscall });
}

/** Records open (which path got which fd), fsync (by path) and rename calls, in order. */
function recordFileCalls(): string[] {
  const events: string[] = [];
  const pathOfFd = new Map<number, string>();
  const realOpen = fsp.open;
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const handle = await realOpen(...args);
    pathOfFd.set(handle.fd, String(args[0]));
    return handle;
  });
  const realFsync = fs.fsync;
  vi.spyOn(fs, 'fsync').mockImplementation((fd, callback) => {
    events.push(`fsync ${pathOfFd.get(fd)}`);
    realFsync(fd, callback);
  });
  const realRename = fsp.rename;
  vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
    events.push(`rename ${String(from)} -> ${String(to)}`);
    await realRename(from, to);
  });
  return events;
}

function failFsyncOnce() {
  return vi.spyOn(fs, 'fsync').mockImplementationOnce((_fd, callback) => {
    callback(osError('EIO', 'fsync'));
  });
}

/** Makes the rename onto `path` (not the backup's) fail with EXDEV. */
function failRenameOnto(path: string) {
  const realRename = fsp.rename;
  return vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
    if (String(to) === path) throw osError('EXDEV', 'rename');
    await realRename(from, to);
  });
}

function failBackup() {
  vi.spyOn(fsp, 'link').mockRejectedValueOnce(osError('EPERM', 'link'));
  return vi.spyOn(fsp, 'copyFile').mockRejectedValueOnce(osError('ENOSPC', 'copyfile'));
}

describe('AtomicFile', () => {
  it('fsyncs the temp file before renaming it over the data file, then fsyncs the folder', async () => {
    const dir = await tempDir();
    const path = join(dir, 'data.json');
    const file = new AtomicFile<TestDoc>(path);
    await file.write(doc(1));
    const events = recordFileCalls();
    await file.write(doc(2));

    const renameIndex = events.findIndex((e) => e.endsWith(` -> ${path}`));
    const temp = /^rename (\S+) ->/.exec(events[renameIndex] ?? '')?.[1] ?? '';
    expect(temp).toMatch(new RegExp(`^${path}\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    const tempSync = events.indexOf(`fsync ${temp}`);
    expect(tempSync).toBeGreaterThanOrEqual(0);
    expect(tempSync).toBeLessThan(renameIndex);
    if (posix) expect(events.slice(renameIndex + 1)).toContain(`fsync ${dir}`);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(doc(2));
  });

  it('creates the data file and its backup with mode 0600', async () => {
    const dir = await tempDir();
    const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
    await file.write(doc(1));
    await file.write(doc(2));
    if (posix) {
      expect((await stat(file.path)).mode & 0o777).toBe(0o600);
      expect((await stat(file.backupPath)).mode & 0o777).toBe(0o600);
    }
    expect(await listDir(dir)).toEqual(['data.json', 'data.json.bak']);
  });

  it('keeps the previous complete file as the backup', async () => {
    const dir = await tempDir();
    const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
    await file.write(doc(1));
    const first = await bytesOf(file.path);
    await file.write(doc(2));
    expect(await bytesOf(file.backupPath)).toEqual(first);
    expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual(doc(2));
  });

  it('copies the backup where hard links are refused', async () => {
    const dir = await tempDir();
    const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
    await file.write(doc(1));
    const first = await bytesOf(file.path);
    vi.spyOn(fsp, 'link').mockRejectedValueOnce(osError('EPERM', 'link'));
    await file.write(doc(2));
    expect(await bytesOf(file.backupPath)).toEqual(first);
    expect((await stat(file.backupPath)).nlink).toBe(1);
    expect(await listDir(dir)).toEqual(['data.json', 'data.json.bak']);
  });

  it('coalesces writes requested during a write into one follow-up carrying the latest data', async () => {
    const dir = await tempDir();
    const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
    const events = recordFileCalls();
    await Promise.all([1, 2, 3, 4].map((seq) => file.write(doc(seq))));
    expect(events.filter((e) => e.endsWith(` -> ${file.path}`))).toHaveLength(2);
    expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual(doc(4));
  });

  it('reads a missing file as null and refuses to parse a damaged one', async () => {
    const dir = await tempDir();
    const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
    expect(await file.read()).toBeNull();
    await writeFile(file.path, '{"version":3,"se');
    await expect(file.read()).rejects.toMatchObject({ code: 'store-unreadable' });
    expect(await readFile(file.path, 'utf8')).toBe('{"version":3,"se');
  });

  it.each([
    ['fsync of the temp file', () => failFsyncOnce()],
    ['rename over the data file', (path: string) => failRenameOnto(path)],
    ['backup link and copy', () => failBackup()],
    [
      'creation of the temp file',
      () => vi.spyOn(fsp, 'open').mockRejectedValueOnce(osError('ENOSPC', 'open')),
    ],
  ])(
    'leaves the file byte-identical and no temp file behind when the %s fails',
    async (_step, inject) => {
      const dir = await tempDir();
      const file = new AtomicFile<TestDoc>(join(dir, 'data.json'));
      await file.write(doc(1));
      await file.write(doc(2));
      const before = await bytesOf(file.path);
      const spy = inject(file.path);
      const failed = file.write(doc(3));
      await expect(failed).rejects.toMatchObject({ code: 'store-failed' });
      await expect(failed).rejects.toThrow(new RegExp(`${file.path}: E[A-Z]+: simulated failure`));
      expect(spy).toHaveBeenCalled();
      expect(await bytesOf(file.path)).toEqual(before);
      expect(await listDir(dir)).toEqual(['data.json', 'data.json.bak']);
    },
  );
});

describe('durable store writes', () => {
  it('lands 100 concurrent updates, each on disk when its promise resolves', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    const events = recordFileCalls();
    const seenOnDisk: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await store.update((draft) => {
          draft.items.push({ id: `concurrent-${i}`, note: `#${i}` });
        });
        const onDisk = validateTestDoc(JSON.parse(await readFile(store.path, 'utf8')));
        seenOnDisk[i] = onDisk.items.some((item) => item.id === `concurrent-${i}`);
      }),
    );
    expect(seenOnDisk).toEqual(Array.from({ length: 100 }, () => true));
    const final = validateTestDoc(JSON.parse(await readFile(store.path, 'utf8')));
    expect(final.items.map((item) => item.id).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `concurrent-${i}`).sort(),
    );
    expect(events.filter((e) => e.endsWith(` -> ${store.path}`)).length).toBeLessThan(100);
    await store.close();
  });

  it('rejects an invalid result, leaving the file byte-identical and no temp file', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    await store.update((draft) => void draft.items.push({ id: 'kept', note: '' }));
    const before = await bytesOf(store.path);
    const names = await listDir(dir);
    const bad = store.update((draft) => void draft.items.push({ id: '', note: '' }));
    await expect(bad).rejects.toMatchObject({ code: 'store-invalid' });
    await expect(bad).rejects.toThrow('an item has no id');
    expect(await bytesOf(store.path)).toEqual(before);
    expect(await listDir(dir)).toEqual(names);
    expect(store.data.items).toEqual([{ id: 'kept', note: '' }]);
    await store.close();
  });

  it('keeps a change whose save failed in memory and saves it with the next update', async () => {
    const dir = await tempDir();
    const store = await openDurableStore(testStoreOptions(dir));
    const before = await bytesOf(store.path);
    const spy = failRenameOnto(store.path);
    const failed = store.update((draft) => void draft.items.push({ id: 'first', note: '' }));
    await expect(failed).rejects.toMatchObject({ code: 'store-failed' });
    expect(await bytesOf(store.path)).toEqual(before);
    spy.mockRestore();

    await store.update((draft) => void draft.items.push({ id: 'second', note: '' }));
    const onDisk = validateTestDoc(JSON.parse(await readFile(store.path, 'utf8')));
    expect(onDisk.items.map((item) => item.id)).toEqual(['first', 'second']);
    await store.close();
  });
});
