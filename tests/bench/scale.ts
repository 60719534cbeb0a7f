/**
 * The core's figures with 10,000 templates (store load, CSV export, next due action, RSS, a
 * saved change, idle CPU), taken by scale-worker.ts in a process of its own so that nothing
 * the benchmark itself holds in memory or runs counts against Certdesk.
 */
import { startWorker, type BenchMessage } from './child.ts';
import type { Figure } from './report.ts';

/** What the scale figures need from the benchmark. */
export interface ScaleContext {
  /** Environment of the worker (private keyring; no keychain call is expected). */
  env: NodeJS.ProcessEnv;
  templates: number;
  /** Length of the idle measurement; 0 skips it. */
  idleSeconds: number;
  progress: (line: string) => void;
}

interface Timed {
  first: number;
  median: number;
}

interface ScaleResult extends BenchMessage {
  fileBytes: number;
  loadMs: number;
  rssMiB: number;
  /** RSS after the saves, the exports and the idle minutes. */
  rssEndMiB: number;
  csv: Timed;
  rows: number;
  next: Timed;
  firstDueInMs: number | null;
  update: Timed;
  /** The first idle window (post-load heap shrinking included), then the steady one. */
  idle: { cpuMs: number; wallMs: number }[];
}

/** "Near zero" for a minute of idling: under 0.1 % of one core. */
const IDLE_CPU_LIMIT_MS_PER_MINUTE = 60;

function figures(r: ScaleResult, ctx: ScaleContext): Figure[] {
  const n = ctx.templates.toLocaleString('en-US');
  const mib = (r.fileBytes / 2 ** 20).toFixed(1);
  const list: Figure[] = [
    {
      key: 'store-load',
      label: `store load, ${n} templates (openCore)`,
      unit: 'ms',
      certdesk: r.loadMs,
      note: `openCore on a ${mib} MiB data file in a fresh process: read, parse, validate, lock, schedule every template.`,
    },
    {
      key: 'csv-export',
      label: `CSV export of all CNAME records (${r.rows.toLocaleString('en-US')} rows)`,
      unit: 'ms',
      certdesk: r.csv.median,
      target: { text: '< 200 ms', met: r.csv.median < 200 },
      note: `toCsv over the store's templates, spreadsheet mode; median of 5 (first call ${r.csv.first.toFixed(1)} ms).`,
    },
    {
      key: 'next-due',
      label: 'next due action (engine.next())',
      unit: 'ms',
      certdesk: r.next.median,
      target: { text: '< 10 ms', met: r.next.median < 10 },
      note: `median of 101 calls (first ${r.next.first.toFixed(2)} ms); earliest due ${r.firstDueInMs === null ? 'nothing' : `${Math.round(r.firstDueInMs / 60_000)} min ahead`}.`,
    },
    {
      key: 'core-rss',
      label: 'core process RSS after load',
      unit: 'MiB',
      certdesk: r.rssMiB,
      target: { text: '< 200 MiB', met: r.rssMiB < 200 },
      note: 'process.memoryUsage().rss of a Node process that has opened the core (tsx loader included).',
    },
    {
      key: 'store-update',
      label: `saving one template change (${n} in store)`,
      unit: 'ms',
      certdesk: r.update.median,
      note: 'store.update() changing one field of one template until it is durable on disk; median of 11. Every lifecycle step pays this.',
    },
    {
      key: 'core-rss-end',
      label: 'core process RSS at the end',
      unit: 'MiB',
      certdesk: r.rssEndMiB,
      note: 'After the CSV exports, the saves (the store then remembers the JSON text of every template) and the idle minutes.',
    },
  ];
  if (ctx.idleSeconds > 0) list.push(...idleFigures(r, ctx));
  return list;
}

function idleFigures(r: ScaleResult, ctx: ScaleContext): Figure[] {
  const perMinute = (w: { cpuMs: number; wallMs: number } | undefined) =>
    w ? (w.cpuMs / w.wallMs) * 60_000 : Number.NaN;
  const n = ctx.templates.toLocaleString('en-US');
  const how = `process.cpuUsage() (all threads) over ${ctx.idleSeconds} s, scaled to a minute, engine running; every template at Unable to Generate with its automatic retry 10 min to 24 h ahead, so all ${n} are scheduled and none is due`;
  const steady = perMinute(r.idle[1]);
  return [
    {
      key: 'idle-cpu-first',
      label: 'idle CPU, first minute after load',
      unit: 'ms CPU',
      certdesk: perMinute(r.idle[0]),
      note: `${how}. Starts 2 s after load (and one forced collection of the benchmark's own garbage); holds V8's one-off compacting collection that shrinks the heap about 30 s after the load.`,
    },
    {
      key: 'idle-cpu',
      label: `idle CPU per minute, ${n} templates scheduled`,
      unit: 'ms CPU',
      certdesk: steady,
      target: {
        text: `near zero (< ${IDLE_CPU_LIMIT_MS_PER_MINUTE} ms/min, 0.1 % of a core)`,
        met: steady < IDLE_CPU_LIMIT_MS_PER_MINUTE,
      },
      note: `${how}. The minute after the first one: the steady state.`,
    },
  ];
}

/** Runs the scale worker; `loadMs` feeds the load + first render target. */
export async function scaleFigures(
  ctx: ScaleContext,
): Promise<{ loadMs: number; figures: Figure[] }> {
  ctx.progress(`scale: seeding ${ctx.templates} templates, then 2 × ${ctx.idleSeconds} s idle`);
  const worker = startWorker('scale-worker.ts', ctx.env);
  try {
    worker.send({ type: 'scale', templates: ctx.templates, idleSeconds: ctx.idleSeconds });
    const result = await worker.next<ScaleResult>('result');
    ctx.progress(
      `scale: load ${result.loadMs.toFixed(0)} ms, CSV ${result.csv.median.toFixed(1)} ms`,
    );
    return { loadMs: result.loadMs, figures: figures(result, ctx) };
  } finally {
    await worker.exited;
  }
}
