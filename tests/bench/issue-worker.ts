/**
 * Certdesk's side of the certificate figures, in its own process (started by child.ts with the
 * rig's CA and keyring in its environment). One job per process, so every measured run starts
 * from a fresh process and a fresh data folder, as the brief asks:
 *
 * - `issue` { settings, names }: opens the real core on a new data folder, saves Settings
 *   through the contract (the TSIG secret goes to the keychain), creates one template per
 *   name, runs Check now once (no CNAME yet), sends the challenge records to the benchmark
 *   (which plays the DNS team), waits for `go`, then times Check now on every template at once
 *   until each has answered: `done` { ms, issued, failures, steps }.
 * - `configure` { dataDir, settings }: only saves Settings into `dataDir` (for the test host).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVOKE_CHANNELS, type InvokeMethod } from '../../shared/channels.ts';
import type { IpcResult, ResponseTypes } from '../../shared/contract.ts';
import { openCore, type Core } from '../../electron/core/index.ts';
import { createLogger, memorySink } from '../../electron/core/log.ts';
import { createKeytarStore, loadKeytar } from '../../electron/core/secrets/keychain.ts';
import { createDispatcher, type Dispatch } from '../../electron/rpc/dispatch.ts';
import { runWorker, tell, type BenchMessage, type WorkerInbox } from './child.ts';
import { profileWindow, since } from './stats.ts';

/** What the benchmark asks this worker to do. */
interface Job extends BenchMessage {
  type: 'issue' | 'configure';
  settings: unknown;
  names?: string[];
  dataDir?: string;
}

interface Opened {
  core: Core;
  dispatch: Dispatch;
  service: string;
  log: string[];
}

async function open(dataDir: string, startLifecycle: boolean): Promise<Opened> {
  const log: string[] = [];
  let service = '';
  const core = await openCore({
    dataDir,
    host: 'web',
    version: 'bench',
    logger: createLogger([memorySink(log)], 'info'),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
    startLifecycle,
    secrets: (installationId) => {
      service = `Certdesk ${installationId}`;
      return createKeytarStore({ service });
    },
  });
  return { core, dispatch: createDispatcher(core.handlers, createLogger([])), service, log };
}

async function value<M extends InvokeMethod>(
  dispatch: Dispatch,
  method: M,
  payload?: unknown,
): Promise<ResponseTypes[M]> {
  const result = (await dispatch(INVOKE_CHANNELS[method], payload)) as IpcResult<ResponseTypes[M]>;
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** Deletes this data folder's keychain entries (the keyring is the benchmark's own anyway). */
async function forgetSecrets(service: string): Promise<void> {
  const keytar = loadKeytar();
  for (const { account } of await keytar.findCredentials(service))
    await keytar.deletePassword(service, account);
}

/** Records when each template reached each step, relative to `start()`. */
function stepClock(core: Core) {
  let t0 = 0;
  const steps: { id: string; step: string; atMs: number }[] = [];
  core.events.on((event) => {
    if (event.name !== 'templateChanged' || t0 === 0) return;
    const step =
      event.payload.status === 'pending' ? (event.payload.step ?? '') : event.payload.status;
    const last = steps.findLast((s) => s.id === event.payload.id);
    if (last?.step !== step) steps.push({ id: event.payload.id, step, atMs: since(t0) });
  });
  return { start: () => (t0 = performance.now()), steps };
}

async function issue(job: Job, inbox: WorkerInbox): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-bench-issue-'));
  const opened = await open(dir, true);
  const { core, dispatch } = opened;
  try {
    await value(dispatch, 'saveSettings', job.settings);
    const views = [];
    for (const commonName of job.names ?? [])
      views.push(
        await value(dispatch, 'createTemplate', {
          commonName,
          altNames: [],
          keyType: 'ecdsa-p256',
        }),
      );
    // The administrator has not created the CNAMEs yet: this check finds them missing.
    await Promise.all(views.map((v) => value(dispatch, 'checkTemplateNow', { id: v.id })));
    const records = views.flatMap((v) =>
      v.challengeRecords.map(({ name, value }) => ({ name, value })),
    );
    await tell({ type: 'records', records });
    await inbox.next('go');

    const clock = stepClock(core);
    const profile = await profileWindow(`issue-${views.length}`);
    const start = clock.start();
    const results = await Promise.all(
      views.map((v) => value(dispatch, 'checkTemplateNow', { id: v.id })),
    );
    const ms = since(start);
    await profile.stop();
    const failures = results
      .filter((r) => r.status !== 'issued')
      .map((r) => `${r.commonName}: ${r.status} ${r.failure?.message ?? r.step ?? ''}`);
    const warnings = opened.log.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 5);
    await tell({
      type: 'done',
      ms,
      issued: results.length - failures.length,
      failures,
      steps: clock.steps,
      warnings,
    });
  } finally {
    await core.close();
    await forgetSecrets(opened.service);
    await rm(dir, { recursive: true, force: true });
  }
}

async function configure(job: Job): Promise<void> {
  const { core, dispatch } = await open(job.dataDir as string, false);
  try {
    await value(dispatch, 'saveSettings', job.settings);
  } finally {
    await core.close();
  }
  await tell({ type: 'configured' });
}

runWorker(async (inbox) => {
  const job = await inbox.next<Job>();
  if (job.type === 'configure') return configure(job);
  if (job.type === 'issue') return issue(job, inbox);
  throw new Error(`unknown job ${job.type}`);
});
