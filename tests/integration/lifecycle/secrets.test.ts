/**
 * The product's core promise: a secret never leaves the keychain in clear. After real
 * issuance, a failure path and a CSV export, every secret in the keychain (certificate keys,
 * the ACME account key, the TSIG secret) is looked for, as text and as bytes, in the store and
 * its backup, the logs, every IPC answer and the export. And when the keychain is missing or
 * locked, issuance stops with that reason and writes key material nowhere else.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type InvokeMethod } from '../../../shared/channels.ts';
import type { TemplateView } from '../../../shared/types.ts';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createLogger, fileSink, memorySink } from '../../../electron/core/log.ts';
import { loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { createDispatcher } from '../../../electron/rpc/dispatch.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startKeyring } from '../../rig/keyring.ts';
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

const settings = (secret: string) => ({
  ca: { preset: 'custom', directoryUrl: pebble.directoryUrl },
  dns: {
    kind: 'rfc2136',
    server: bind.host,
    port: bind.port,
    zone: bind.zones.validation,
    keyName: bind.tsig.name,
    algorithm: 'hmac-sha256',
    secret,
  },
  resolver: { kind: 'custom', host: bind.host, port: bind.port },
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The forms a secret could leak in: its text, each PEM body line, its bytes as base64 and hex. */
function canaryForms(secret: string): string[] {
  const body = secret
    .replace(/-----[A-Z ]+-----/g, '')
    .split(/\s+/)
    .filter((line) => line.length >= 24);
  const bytes = Buffer.from(secret);
  return [secret, ...body, bytes.toString('base64'), bytes.toString('hex')];
}

function settledView(core: Core, id: string): Promise<TemplateView> {
  return new Promise((resolve) => {
    const stop = core.events.on((event) => {
      if (event.name !== 'templateChanged' || event.payload.id !== id) return;
      if (event.payload.status === 'issued' || event.payload.status === 'failed') {
        stop();
        resolve(event.payload);
      }
    });
  });
}

describe('secret canary sweep', () => {
  it('finds no keychain secret in the store, logs, IPC answers or the CSV export', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-canary-'));
    const memory: string[] = [];
    const exports: string[] = [];
    const core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 'canary',
      logger: createLogger(
        [memorySink(memory), fileSink(join(dir, 'logs', 'certdesk.log'))],
        'debug',
      ),
      saveFile: async (_name, contents) => {
        exports.push(contents);
        return { saved: true, path: join(dir, 'exports', 'x.csv') };
      },
      openExternal: async () => false,
    });
    const dispatch = createDispatcher(core.handlers, createLogger([memorySink(memory)]));
    const answers: string[] = [];
    const call = async (method: InvokeMethod, payload?: unknown) => {
      const result = await dispatch(INVOKE_CHANNELS[method], payload);
      answers.push(JSON.stringify(result));
      return result;
    };
    try {
      await call(
        'saveSettings',
        settings(Buffer.from('a-wrong-secret-for-the-failure-path').toString('base64')),
      );
      const created = await call('createTemplate', {
        commonName: 'canary.example.test',
        altNames: ['*.canary.example.test'],
        keyType: 'rsa-2048',
      });
      const view = (created as { value: TemplateView }).value;
      for (const r of view.challengeRecords)
        await bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
      let settled = settledView(core, view.id);
      await call('checkTemplateNow', { id: view.id });
      expect((await settled).status).toBe('failed');

      await call('saveSettings', settings(bind.tsig.secret));
      settled = settledView(core, view.id);
      await call('retryTemplate', { id: view.id });
      expect((await settled).status).toBe('issued');
      for (const method of ['listTemplates', 'getSettings', 'getAppInfo'] as const)
        await call(method);
      await call('getTemplateDetails', { id: view.id });
      await call('exportCsv', { mode: 'raw' });
      await call('getZoneLines', {});
      const service = `Certdesk ${core.store.data.installationId}`;
      await core.close();

      const secrets = (await loadKeytar().findCredentials(service)).map((c) => c.password);
      expect(secrets.filter((s) => s.includes('PRIVATE KEY')).length).toBeGreaterThanOrEqual(2); // certificate + account
      expect(secrets).toContain(bind.tsig.secret);
      const haystacks: [string, string][] = [
        ['memory log', memory.join('\n')],
        ['IPC answers', answers.join('\n')],
        ['CSV export', exports.join('\n')],
      ];
      for (const file of await filesUnder(dir))
        haystacks.push([file, await readFile(file, 'latin1')]);
      for (const [where, text] of haystacks) {
        expect(text, `${where} holds a private key`).not.toMatch(/PRIVATE KEY-----/);
        for (const secret of secrets) {
          for (const form of canaryForms(secret))
            expect(text.includes(form), `${where} holds a secret`).toBe(false);
        }
      }
      for (const { account } of await loadKeytar().findCredentials(service))
        await loadKeytar().deletePassword(service, account);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('keychain missing or locked', () => {
  /** A data folder with settings in the given keychain and one delegated template. */
  async function prepare(env: NodeJS.ProcessEnv): Promise<{ dir: string; view: TemplateView }> {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-keychain-'));
    const configure = spawn(process.execPath, ['--import', 'tsx', 'tests/demo/configure.ts'], {
      env,
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    configure.stdin?.end(JSON.stringify({ dataDir: dir, settings: settings(bind.tsig.secret) }));
    expect(await new Promise((r) => configure.on('exit', r))).toBe(0);
    const core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 't',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
      startLifecycle: false,
    });
    const view = await core.handlers.createTemplate({
      commonName: `kc${Date.now()}.example.test`,
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    await core.close();
    for (const r of view.challengeRecords)
      await bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
    return { dir, view };
  }

  async function runChild(dir: string, env: NodeJS.ProcessEnv): Promise<TemplateView> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'keychain-child.ts'), dir],
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((r) => child.on('exit', r));
    return JSON.parse(out.trim().split('\n')[0] ?? '{}') as TemplateView;
  }

  async function expectNoKeyMaterial(dir: string): Promise<void> {
    for (const file of await filesUnder(dir))
      expect(await readFile(file, 'latin1')).not.toMatch(/PRIVATE KEY/);
  }

  it('stops at Unable to Generate naming a missing keychain, with no key written elsewhere', async () => {
    const keyring = await startKeyring();
    try {
      const { dir, view } = await prepare(keyring.childEnv());
      const noBus = {
        ...keyring.childEnv(),
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}`,
      };
      const failed = await runChild(dir, noBus);
      expect(failed).toMatchObject({
        id: view.id,
        status: 'failed',
        failure: { code: 'keychain-unavailable' },
      });
      expect(failed.failure?.message).toMatch(/keychain is not available/);
      await expectNoKeyMaterial(dir);
      await rm(dir, { recursive: true, force: true });
    } finally {
      await keyring.stop();
    }
  });

  it('stops at Unable to Generate naming a locked keychain, with no key written elsewhere', async () => {
    const keyring = await startKeyring();
    try {
      const { dir, view } = await prepare(keyring.childEnv());
      await keyring.lock();
      const failed = await runChild(dir, keyring.childEnv());
      expect(failed).toMatchObject({
        id: view.id,
        status: 'failed',
        failure: { code: 'keychain-locked' },
      });
      await expectNoKeyMaterial(dir);
      await rm(dir, { recursive: true, force: true });
    } finally {
      await keyring.stop();
    }
  });
});
