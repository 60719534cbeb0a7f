/**
 * The 10,000-template figures of Certdesk's core, in a fresh process (one job, `scale`):
 *
 * 1. Seeds a data folder through the durable store with `templates` records made like the test
 *    host's (electron/testhost/seed.ts), all at Unable to Generate with an automatic retry
 *    10 minutes to 24 hours ahead: every template is in the scheduler and none is due during
 *    the idle minute. (Issued templates would not be scheduled at all yet, and pending ones
 *    are checked on their CNAME cadence, which is work, not idling.)
 * 2. Times openCore on that folder (read, parse, validate, lock, engine start), then reads RSS.
 * 3. Times the CSV export of every template (the core's toCsv, as the exportCsv handler calls
 *    it), the next due action (engine.next()), and saving one template change.
 * 4. Measures CPU time (process.cpuUsage) over two consecutive windows of `idleSeconds` with
 *    the engine running: the first holds V8's one-off shrinking of the heap after the load
 *    (its memory reducer runs a compacting collection about 30 s after the last one), the
 *    second is the steady state.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCore } from '../../electron/core/index.ts';
import { toCsv } from '../../electron/core/export/csv.ts';
import { createLogger } from '../../electron/core/log.ts';
import {
  MIGRATIONS,
  SCHEMA_VERSION,
  newDocument,
  validateDocument,
  type StoreDocument,
} from '../../electron/core/state.ts';
import { openDurableStore } from '../../electron/core/store/index.ts';
import { seedRecord } from '../../electron/testhost/seed.ts';
import { runWorker, tell, type BenchMessage } from './child.ts';
import { median, profileWindow, since } from './stats.ts';

const MINUTE = 60_000;

/** Writes `count` templates, each failed with a retry 10 min to 24 h ahead; returns file bytes. */
async function seed(dir: string, count: number): Promise<number> {
  const store = await openDurableStore<StoreDocument>({
    dir,
    schemaVersion: SCHEMA_VERSION,
    migrations: MIGRATIONS,
    validate: validateDocument,
    defaults: newDocument,
  });
  const now = new Date();
  try {
    await store.update((doc) => {
      for (let i = 0; i < count; i += 1) {
        const record = seedRecord(i, 'validation.example', now);
        const retryIn = 10 * MINUTE + ((i * 7919) % count) * (((24 * 60 - 10) * MINUTE) / count);
        record.status = 'failed';
        delete record.step;
        record.failures = 1;
        record.failure = {
          code: 'dns-not-delegated',
          message: `_acme-challenge.${record.commonName} has no CNAME record yet.`,
          at: now.toISOString(),
          nextAttemptAt: new Date(now.getTime() + retryIn).toISOString(),
        };
        doc.templates.push(record);
      }
    });
  } finally {
    await store.close();
  }
  return (await stat(join(dir, 'certdesk.json'))).size;
}

/** CPU time this process used (all threads) over `seconds` of doing nothing itself. */
async function cpuOver(seconds: number): Promise<{ cpuMs: number; wallMs: number }> {
  const wall = performance.now();
  const before = process.cpuUsage();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: since(wall) };
}

/** Median and first of `n` timed calls of `fn`. */
async function timed(n: number, fn: () => unknown): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    await fn();
    times.push(since(start));
  }
  return { first: times[0] as number, median: median(times) };
}

async function scale(count: number, idleSeconds: number): Promise<BenchMessage> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-bench-scale-'));
  try {
    const fileBytes = await seed(dir, count);
    global.gc?.();
    const loadProfile = await profileWindow('load');
    const start = performance.now();
    const core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 'bench',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
    });
    const loadMs = since(start);
    await loadProfile.stop();
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    try {
      let rows = 0;
      const csv = await timed(
        5,
        () => (rows = toCsv(core.store.data.templates, 'spreadsheet').rows),
      );
      let due = core.engine.next();
      const next = await timed(101, () => (due = core.engine.next()));
      let n = 0;
      const updateProfile = await profileWindow('update');
      const update = await timed(11, () =>
        core.store.update((doc) => {
          const record = doc.templates[n++ % doc.templates.length];
          if (record) record.checks.lastAt = new Date().toISOString();
        }),
      );
      await updateProfile.stop();
      // The idle minutes measure Certdesk idling, not the collection of this benchmark's own
      // garbage (CSV text, saved documents): collect it first, then let the heap settle.
      global.gc?.();
      await sleep(2000);
      const idleProfile = await profileWindow('idle', 5000);
      const idle = [await cpuOver(idleSeconds), await cpuOver(idleSeconds)];
      await idleProfile.stop();
      const rssEndMiB = process.memoryUsage().rss / 2 ** 20;
      const firstDueInMs = due ? due.at - Date.now() : null;
      return {
        type: 'result',
        fileBytes,
        loadMs,
        rssMiB,
        csv,
        rows,
        next,
        firstDueInMs,
        update,
        idle,
        rssEndMiB,
      };
    } finally {
      await core.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runWorker(async (inbox) => {
  const job = await inbox.next<BenchMessage & { templates: number; idleSeconds: number }>('scale');
  await tell(await scale(job.templates, job.idleSeconds));
});
