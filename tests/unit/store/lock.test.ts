import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { acquireStoreLock, openDurableStore } from '../../../electron/core/store/index.ts';
import { parseLockRecord, removeIfUnchanged } from '../../../electron/core/store/lock.ts';
import {
  exited,
  listDir,
  makeTempDir,
  removeDir,
  spawnTs,
  testStoreOptions,
  waitForLine,
} from './fixtures.ts';

const holderScript = fileURLToPath(new URL('./holder-child.ts', import.meta.url));
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function lockText(pid: number, host: string, heartbeatAgeMs: number): string {
  const heartbeat = new Date(Date.now() - heartbeatAgeMs).toISOString();
  return JSON.stringify({ pid, hostname: host, startedAt: heartbeat, heartbeat });
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('store lock', () => {
  it('refuses a second process while the first holds the store, and takes over once it is killed', async () => {
    const dir = await tempDir();
    const holder = spawnTs(holderScript, [dir]);
    try {
      const ready = await waitForLine(holder, 'ready ');
      expect(ready).toBe(`ready ${holder.pid}`);

      const second = openDurableStore(testStoreOptions(dir));
      await expect(second).rejects.toMatchObject({
        code: 'store-locked',
        message: `Another Certdesk is already using ${dir} (process ${holder.pid}); close it first`,
      });

      holder.kill('SIGKILL');
      await exited(holder);
      const lines: string[] = [];
      const logger = createLogger([memorySink(lines)], 'debug');
      const store = await openDurableStore(testStoreOptions(dir, { logger }));
      const lock = parseLockRecord(await readFile(join(dir, 'certdesk.json.lock'), 'utf8'));
      expect(lock?.pid).toBe(process.pid);
      expect(lines.join('\n')).toContain(`process ${holder.pid} is no longer running`);
      await store.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('refuses a second open of the same folder in the same process', async () => {
    const dir = await tempDir();
    const first = await openDurableStore(testStoreOptions(dir));
    await expect(openDurableStore(testStoreOptions(dir))).rejects.toMatchObject({
      code: 'store-locked',
      message: `Another Certdesk is already using ${dir} (process ${process.pid}); close it first`,
    });
    await first.close();
    const again = await openDurableStore(testStoreOptions(dir));
    await again.close();
  });

  it('takes over a lock left by a process that is no longer running', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    const pid = deadPid();
    await writeFile(`${file}.lock`, lockText(pid, hostname(), 0));
    const lines: string[] = [];
    const lock = await acquireStoreLock({ file, dir, logger: createLogger([memorySink(lines)]) });
    expect(parseLockRecord(await readFile(lock.path, 'utf8'))?.pid).toBe(process.pid);
    expect(lines.join('\n')).toContain(`process ${pid} is no longer running`);
    await lock.release();
  });

  it('treats an empty lock file, as a crash while writing it leaves, as stale', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    await writeFile(`${file}.lock`, '');
    const lock = await acquireStoreLock({ file, dir });
    expect(parseLockRecord(await readFile(lock.path, 'utf8'))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a live process whose heartbeat is stale, but not one whose heartbeat is fresh', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    await writeFile(`${file}.lock`, lockText(process.ppid, hostname(), 5_000));
    await expect(acquireStoreLock({ file, dir })).rejects.toMatchObject({ code: 'store-locked' });

    await writeFile(`${file}.lock`, lockText(process.ppid, hostname(), 60_000));
    const lock = await acquireStoreLock({ file, dir });
    expect(parseLockRecord(await readFile(lock.path, 'utf8'))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('respects a fresh lock from another host and names that host', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    const text = lockText(4242, 'other-host.example', 1_000);
    await writeFile(`${file}.lock`, text);
    await expect(acquireStoreLock({ file, dir })).rejects.toMatchObject({
      code: 'store-locked',
      message: `Another Certdesk is already using ${dir} (process 4242 on other-host.example); close it first`,
    });
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(text);
  });

  it('refreshes its heartbeat while held and deletes the lock file on release', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    const lock = await acquireStoreLock({ file, dir, heartbeatMs: 10 });
    const first = parseLockRecord(await readFile(lock.path, 'utf8'));
    await waitUntil('a new heartbeat', async () => {
      const now = parseLockRecord(await readFile(lock.path, 'utf8'));
      return now !== null && now.heartbeat !== first?.heartbeat;
    });
    expect(lock.held).toBe(true);
    await lock.release();
    expect(await listDir(dir)).toEqual([]);
  });

  it('notices when another process took the lock over and leaves that lock in place on release', async () => {
    const dir = await tempDir();
    const file = join(dir, 'certdesk.json');
    const lines: string[] = [];
    const logger = createLogger([memorySink(lines)]);
    const lock = await acquireStoreLock({ file, dir, heartbeatMs: 10, logger });
    const theirs = lockText(process.ppid, hostname(), 0);
    await writeFile(lock.path, theirs);
    await waitUntil('the lock to be seen as lost', () => !lock.held);
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).toBe(theirs);
    expect(lines.join('\n')).toContain('another process took over the store lock');
  });

  it('deletes a lock file only when it still holds the content that was judged stale', async () => {
    const dir = await tempDir();
    const path = join(dir, 'certdesk.json.lock');
    await writeFile(path, 'fresh lock of someone else');
    expect(await removeIfUnchanged(path, 'the stale lock we read earlier')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('fresh lock of someone else');
    expect(await listDir(dir)).toEqual(['certdesk.json.lock']);

    expect(await removeIfUnchanged(path, 'fresh lock of someone else')).toBe(true);
    expect(await listDir(dir)).toEqual([]);
  });
});
