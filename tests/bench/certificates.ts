/**
 * The certificate figures: one certificate through the CNAME (several runs each, medians) and
 * a batch of certificates for distinct names, Certdesk's core against lego on the same BIND
 * and Pebble. Runs alternate Certdesk / lego so a burst of load elsewhere on a shared machine
 * hits both alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindRig } from '../rig/bind.ts';
import type { PebbleRig } from '../rig/pebble.ts';
import { startWorker, type BenchMessage } from './child.ts';
import { delegateForLego, runLego } from './lego.ts';
import type { Figure } from './report.ts';
import { median } from './stats.ts';

/** What the certificate figures need from the benchmark. */
export interface CertificateContext {
  bind: BindRig;
  pebble: PebbleRig;
  /** Environment of Certdesk's worker processes (rig CA, private keyring). */
  env: NodeJS.ProcessEnv;
  /** Runs of the one-certificate figure. */
  runs: number;
  /** Certificates in the batch figure. */
  batch: number;
  /** Runs of Certdesk's batch (lego's batch is run once: it is already `batch` runs). */
  batchRuns: number;
  /** Whether lego is installed. */
  lego: boolean;
  /** Progress lines for the person running the benchmark. */
  progress: (line: string) => void;
}

/** Settings as the administrator would enter them: Pebble, BIND's validation zone, BIND. */
export function rigSettings(bind: BindRig, pebble: PebbleRig) {
  return {
    ca: { preset: 'custom', directoryUrl: pebble.directoryUrl },
    dns: {
      kind: 'rfc2136',
      server: bind.host,
      port: bind.port,
      zone: bind.zones.validation,
      keyName: bind.tsig.name,
      algorithm: 'hmac-sha256',
      secret: bind.tsig.secret,
    },
    resolver: { kind: 'custom', host: bind.host, port: bind.port },
  };
}

interface Done extends BenchMessage {
  ms: number;
  issued: number;
  failures: string[];
  steps: { id: string; step: string; atMs: number }[];
  warnings: string[];
}

/** One Certdesk run in a fresh worker and data folder: ms from Check now until all issued. */
export async function certdeskRun(ctx: CertificateContext, names: string[]): Promise<Done> {
  const worker = startWorker('issue-worker.ts', ctx.env);
  try {
    worker.send({ type: 'issue', settings: rigSettings(ctx.bind, ctx.pebble), names });
    const { records } = await worker.next<
      BenchMessage & { records: { name: string; value: string }[] }
    >('records');
    for (const r of records) await ctx.bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
    worker.send({ type: 'go' });
    const done = await worker.next<Done>('done');
    if (done.failures.length > 0)
      throw new Error(`Certdesk did not issue: ${done.failures.join('; ')}`);
    if (process.env.BENCH_VERBOSE)
      ctx.progress(JSON.stringify({ steps: done.steps, warnings: done.warnings }));
    return done;
  } finally {
    await worker.exited;
  }
}

/** One lego run with a fresh --path (a new account, like Certdesk's fresh data folder). */
async function legoRun(ctx: CertificateContext, name: string): Promise<number> {
  const path = await mkdtemp(join(tmpdir(), 'certdesk-bench-lego-'));
  try {
    await delegateForLego(ctx.bind, name);
    return await runLego(ctx, path, name);
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

const tag = () => randomBytes(3).toString('hex');
const customer = (ctx: CertificateContext, host: string) => `${host}.${ctx.bind.zones.customer}`;

async function oneCertificate(ctx: CertificateContext): Promise<Figure> {
  const certdesk: number[] = [];
  const lego: number[] = [];
  for (let i = 1; i <= ctx.runs; i += 1) {
    const done = await certdeskRun(ctx, [customer(ctx, `one${i}-${tag()}`)]);
    certdesk.push(done.ms);
    if (ctx.lego) lego.push(await legoRun(ctx, customer(ctx, `lego-one${i}-${tag()}`)));
    ctx.progress(
      `one certificate, run ${i}/${ctx.runs}: Certdesk ${done.ms.toFixed(0)} ms, lego ${lego.at(-1)?.toFixed(0) ?? 'n/a'} ms`,
    );
  }
  const ratio = median(certdesk) / median(lego);
  return {
    key: 'one-certificate',
    label: `1 certificate through the CNAME (median of ${ctx.runs})`,
    unit: 'ms',
    certdesk: median(certdesk),
    ...(ctx.lego ? { lego: median(lego) } : {}),
    ...(ctx.lego ? { target: { text: '≤ 0.15 × lego', met: ratio <= 0.15 } } : {}),
    note: 'Certdesk: a fresh worker process and data folder per run (new ACME account), time from Check now to Latest Certificate. lego: the whole `lego run` process with a fresh --path (new account).',
    samples: { certdesk, ...(ctx.lego ? { lego } : {}) },
  };
}

async function batch(ctx: CertificateContext): Promise<Figure> {
  const certdesk: number[] = [];
  for (let r = 1; r <= ctx.batchRuns; r += 1) {
    const names = Array.from({ length: ctx.batch }, (_, i) => customer(ctx, `b${i}-${tag()}`));
    const done = await certdeskRun(ctx, names);
    certdesk.push(done.ms);
    ctx.progress(
      `${ctx.batch} certificates, Certdesk run ${r}/${ctx.batchRuns}: ${done.ms.toFixed(0)} ms`,
    );
  }
  let legoTotal: number | undefined;
  const legoRuns: number[] = [];
  if (ctx.lego) {
    const path = await mkdtemp(join(tmpdir(), 'certdesk-bench-lego-'));
    try {
      const names = Array.from({ length: ctx.batch }, (_, i) =>
        customer(ctx, `lego-b${i}-${tag()}`),
      );
      for (const name of names) await delegateForLego(ctx.bind, name);
      for (const name of names) legoRuns.push(await runLego(ctx, path, name));
    } finally {
      await rm(path, { recursive: true, force: true });
    }
    legoTotal = legoRuns.reduce((a, b) => a + b, 0);
    ctx.progress(`${ctx.batch} certificates, lego: ${legoTotal.toFixed(0)} ms in all`);
  }
  const value = median(certdesk);
  return {
    key: 'batch-certificates',
    label: `${ctx.batch} certificates for ${ctx.batch} names`,
    unit: 'ms',
    certdesk: value,
    ...(legoTotal !== undefined ? { lego: legoTotal } : {}),
    ...(legoTotal !== undefined
      ? { target: { text: '≤ 0.03 × lego', met: value / legoTotal <= 0.03 } }
      : {}),
    note: `Certdesk: ${ctx.batch} templates in one core, Check now on all at once, time until every one is issued (its own concurrency limit applies; median of ${ctx.batchRuns}). lego: ${ctx.batch} sequential \`lego run\` processes sharing one --path (one account), total wall time.`,
    samples: { certdesk, ...(ctx.lego ? { lego: legoRuns } : {}) },
  };
}

/** Both certificate figures, in order. */
export async function certificateFigures(ctx: CertificateContext): Promise<Figure[]> {
  return [await oneCertificate(ctx), await batch(ctx)];
}
