/**
 * A crash at any step resumes the stored order instead of creating a new one (Let's Encrypt
 * allows 5 certificates per exact set of names a week, with no overrides), and leaves none of
 * our TXT values behind. A child process runs the real core and is SIGKILLed right after a
 * step is saved; a fresh core on the same folder must finish the job.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/channels.ts';
import type { LifecycleStep, TemplateView } from '../../../shared/types.ts';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createLogger, fileSink } from '../../../electron/core/log.ts';
import { loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { createDispatcher } from '../../../electron/rpc/dispatch.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startPebble, type PebbleRig } from '../../rig/pebble.ts';

let bind: BindRig;
let pebble: PebbleRig;

beforeAll(async () => {
  bind = await startBind();
  pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}` });
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

function open(dataDir: string, startLifecycle: boolean): Promise<Core> {
  return openCore({
    dataDir,
    host: 'web',
    version: 'crash-test',
    logger: createLogger([fileSink(join(dataDir, 'logs', 'certdesk.log'))], 'debug'),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
    startLifecycle,
  });
}

async function prepare(dataDir: string, name: string): Promise<TemplateView> {
  const core = await open(dataDir, false);
  const dispatch = createDispatcher(core.handlers, createLogger([]));
  const saved = await dispatch(INVOKE_CHANNELS.saveSettings, {
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
  });
  expect(saved.ok).toBe(true);
  const created = await dispatch(INVOKE_CHANNELS.createTemplate, {
    commonName: name,
    altNames: [`*.${name}`],
    keyType: 'ecdsa-p256',
  });
  await core.close();
  if (!created.ok) throw new Error(created.error.message);
  const view = created.value as TemplateView;
  for (const record of view.challengeRecords)
    await bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`);
  return view;
}

function runUntilKilled(dataDir: string, step: LifecycleStep): Promise<NodeJS.Signals | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), dataDir, step],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

function issued(core: Core, id: string): Promise<TemplateView> {
  return new Promise((resolve) => {
    const done = (view: TemplateView | undefined) => {
      if (view && view.id === id && (view.status === 'issued' || view.status === 'failed')) {
        stop();
        resolve(view);
      }
    };
    const stop = core.events.on((event) => {
      if (event.name === 'templateChanged') done(event.payload);
    });
    void core.handlers.listTemplates(undefined).then((all) => done(all.find((t) => t.id === id)));
  });
}

const KILL_POINTS: [string, LifecycleStep][] = [
  ['after the order is created', 'publishing-txt'],
  ['after the TXT values are published', 'confirming-txt'],
  ['after finalize', 'downloading'],
];

describe('a crash during issuance', () => {
  it.each(KILL_POINTS)('%s resumes the stored order and cleans up', async (_label, killAt) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'certdesk-crash-'));
    const name = `crash-${killAt}.example.test`;
    try {
      const view = await prepare(dataDir, name);
      expect(await runUntilKilled(dataDir, killAt)).toBe('SIGKILL');
      const stored = JSON.parse(await readFile(join(dataDir, 'certdesk.json'), 'utf8')) as {
        templates: { attempt?: { step: string; orderUrl?: string } }[];
      };
      expect(stored.templates[0]?.attempt).toMatchObject({
        step: killAt,
        orderUrl: expect.stringMatching(/^https:/),
      });
      const orderUrl = stored.templates[0]?.attempt?.orderUrl;

      const core = await open(dataDir, true);
      const done = await issued(core, view.id);
      const details = await core.handlers.getTemplateDetails({ id: view.id });
      const doc = core.store.data;
      await core.close();

      expect(done.failure?.message ?? '').toBe('');
      expect(done.status).toBe('issued');
      expect(doc.templates[0]?.certificates[0]?.orderUrl).toBe(orderUrl);
      const log = await readFile(join(dataDir, 'logs', 'certdesk.log'), 'utf8');
      expect(log.match(/"service":"lifecycle","message":"order created"/g)).toHaveLength(1);
      expect(log).toContain('resuming a stored attempt');
      expect(details.audit.length).toBeGreaterThan(0);
      for (const record of view.challengeRecords) {
        expect(await bind.digTxt(record.value, { norecurse: true })).toEqual([]);
      }
      const keyRef = doc.templates[0]?.certificates[0]?.keyRef ?? '';
      expect(await loadKeytar().getPassword(`Certdesk ${doc.installationId}`, keyRef)).toMatch(
        /PRIVATE KEY/,
      );
    } finally {
      if (!process.env.KEEP_CRASH_DIR) await rm(dataDir, { recursive: true, force: true });
    }
  });
});
