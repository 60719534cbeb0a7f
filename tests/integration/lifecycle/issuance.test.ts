/**
 * Issuance end to end against real components: Pebble 2.4.0 in strict mode rejecting 20% of
 * nonces, BIND serving the customer zone (the administrator's CNAMEs) and the validation zone
 * (TSIG-signed RFC 2136 updates), the OS keychain through keytar on a private gnome-keyring.
 * The core runs exactly as in the app; the test plays the administrator and the DNS team.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type InvokeMethod } from '../../../shared/channels.ts';
import type { IpcResult, ResponseTypes } from '../../../shared/contract.ts';
import type { TemplateView } from '../../../shared/types.ts';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { createKeytarStore, loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { createDispatcher, type Dispatch } from '../../../electron/rpc/dispatch.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startPebble, type PebbleRig } from '../../rig/pebble.ts';

let bind: BindRig;
let pebble: PebbleRig;
let dir: string;
let core: Core;
let dispatch: Dispatch;
let service: string;
let clockOffset = 0;
const logLines: string[] = [];

beforeAll(async () => {
  bind = await startBind();
  pebble = await startPebble({
    dnsServer: `${bind.host}:${bind.port}`,
    env: { PEBBLE_WFE_NONCEREJECT: '20' },
    blocklist: ['blocked.example.test'],
  });
});

afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

async function call<M extends InvokeMethod>(method: M, payload?: unknown) {
  return (await dispatch(INVOKE_CHANNELS[method], payload)) as IpcResult<ResponseTypes[M]>;
}
async function value<M extends InvokeMethod>(
  method: M,
  payload?: unknown,
): Promise<ResponseTypes[M]> {
  const result = await call(method, payload);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function settings(secret = bind.tsig.secret) {
  return {
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
  };
}

/** Resolves when the template reaches a settled status (not a step in progress). */
function settled(id: string, want: TemplateView['status'][]): Promise<TemplateView> {
  return new Promise((resolve) => {
    const check = (view: TemplateView) => {
      if (
        view.id === id &&
        want.includes(view.status) &&
        !(view.status === 'pending' && view.step !== 'waiting-for-cname')
      ) {
        stop();
        resolve(view);
      }
    };
    const stop = core.events.on((event) => {
      if (event.name === 'templateChanged') check(event.payload);
    });
    void value('listTemplates').then((all) => all.filter((t) => t.id === id).forEach(check));
  });
}

async function create(commonName: string, altNames: string[] = []): Promise<TemplateView> {
  return value('createTemplate', { commonName, altNames, keyType: 'ecdsa-p256' });
}

/** Plays the DNS team: creates every CNAME the template asks for. */
async function delegate(view: TemplateView): Promise<void> {
  for (const record of view.challengeRecords)
    await bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`);
}

async function expectIssued(view: TemplateView): Promise<TemplateView> {
  const done = await settled(view.id, ['issued', 'failed']);
  expect(done.failure?.message ?? '').toBe('');
  expect(done.status).toBe('issued');
  return done;
}

async function openTestCore(): Promise<void> {
  core = await openCore({
    dataDir: dir,
    host: 'web',
    version: 'test',
    logger: createLogger([memorySink(logLines)], 'debug'),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
    now: () => new Date(Date.now() + clockOffset),
    secrets: (installationId) => {
      service = `Certdesk ${installationId}`;
      return createKeytarStore({ service });
    },
  });
  dispatch = createDispatcher(core.handlers, createLogger([]));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-issue-'));
  clockOffset = 0;
  await openTestCore();
  await value('saveSettings', settings());
});

afterEach(async () => {
  await core.close();
  const keytar = loadKeytar();
  for (const { account } of await keytar.findCredentials(service))
    await keytar.deletePassword(service, account);
  await rm(dir, { recursive: true, force: true });
});

async function verifyChain(view: TemplateView): Promise<void> {
  const details = await value('getTemplateDetails', { id: view.id });
  const store = JSON.parse(await readFile(join(dir, 'certdesk.json'), 'utf8')) as {
    templates: { id: string; certificates: { chainPem: string; keyRef: string }[] }[];
  };
  const stored = store.templates.find((t) => t.id === view.id)?.certificates[0];
  expect(stored).toBeDefined();
  const pems =
    stored?.chainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const chain = pems.map((pem) => new X509Certificate(pem));
  const root = new X509Certificate(await pebble.fetchRoot());
  const [leaf, ...rest] = chain;
  expect(leaf).toBeDefined();
  let issuer = leaf as X509Certificate;
  for (const next of rest) {
    expect(issuer.verify(next.publicKey)).toBe(true);
    issuer = next;
  }
  expect(issuer.verify(root.publicKey)).toBe(true);
  const keyPem = await loadKeytar().getPassword(service, stored?.keyRef ?? '');
  expect(keyPem).toMatch(/BEGIN PRIVATE KEY/);
  const fromKey = createPublicKey(keyPem as string).export({ format: 'der', type: 'spki' });
  expect(
    Buffer.compare(
      fromKey,
      (leaf as X509Certificate).publicKey.export({ format: 'der', type: 'spki' }),
    ),
  ).toBe(0);
  expect(details.certificates[0]?.serial).toBe(view.latestCertificate?.serial);
}

async function leftoverTxt(view: TemplateView): Promise<string[]> {
  const values: string[] = [];
  for (const record of view.challengeRecords)
    values.push(...(await bind.digTxt(record.value, { norecurse: true })));
  return values;
}

describe('issuance through CNAME delegation', () => {
  it('issues one name once its CNAME resolves, key in the keychain, chain to Pebble root', async () => {
    const view = await create('h1.example.test');
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    const done = await expectIssued(view);
    expect(done.latestCertificate).toMatchObject({
      commonName: 'h1.example.test',
      keyType: 'ecdsa-p256',
    });
    await verifyChain(done);
    expect(await leftoverTxt(view)).toEqual([]);
  });

  it('issues a wildcard with its apex: two TXT values at one name, both removed afterwards', async () => {
    const view = await create('wild.example.test', ['*.wild.example.test']);
    expect(view.challengeRecords).toHaveLength(1);
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    const done = await expectIssued(view);
    expect(done.latestCertificate?.altNames).toEqual(['*.wild.example.test']);
    await verifyChain(done);
    expect(await leftoverTxt(view)).toEqual([]);
    expect(logLines.join('\n')).toMatch(/Publishing 2 TXT value/);
  });

  it('issues names across two base names and an internationalized name', async () => {
    const view = await create('bücher.example.test', ['api.example.test']);
    expect(view.commonName).toBe('xn--bcher-kva.example.test');
    expect(view.challengeRecords).toHaveLength(2);
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    const done = await expectIssued(view);
    expect(done.latestCertificate?.commonName).toBe('xn--bcher-kva.example.test');
    await verifyChain(done);
  });

  it('stays Pending Verification while the CNAME is missing or wrong, then issues by itself', async () => {
    const view = await create('late.example.test');
    const pending = await value('checkTemplateNow', { id: view.id });
    expect(pending).toMatchObject({ status: 'pending', step: 'waiting-for-cname' });
    let details = await value('getTemplateDetails', { id: view.id });
    expect(details.findings[0]).toMatchObject({
      kind: 'missing',
      expected: view.challengeRecords[0]?.value,
    });

    await bind.addCustomerRecord(
      view.challengeRecords[0]?.name ?? '',
      'CNAME',
      'somewhere-else.validation.test.',
    );
    await value('checkTemplateNow', { id: view.id });
    details = await value('getTemplateDetails', { id: view.id });
    expect(details.findings[0]).toMatchObject({ kind: 'wrong-target' });
    expect(details.findings[0]?.message).toContain('somewhere-else.validation.test');

    await bind.removeCustomerRecord(view.challengeRecords[0]?.name ?? '', 'CNAME');
    await delegate(view);
    const issued = settled(view.id, ['issued', 'failed']);
    clockOffset += 31_000; // the next check on the 30-second cadence is due
    core.engine.wake();
    expect((await issued).status).toBe('issued');
  });

  it('shows the DNS server refusing a wrong TSIG secret, then Retry Generate after the fix issues', async () => {
    await value(
      'saveSettings',
      settings(Buffer.from('not-the-right-secret-at-all-0000').toString('base64')),
    );
    const view = await create('tsig.example.test');
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    const failed = await settled(view.id, ['failed']);
    expect(failed.failure).toMatchObject({ code: 'dns-tsig-badsig', step: 'publishing-txt' });
    expect(failed.failure?.message).toContain(`${bind.host}:${bind.port}`);
    expect(failed.failure?.nextAttemptAt).toBeUndefined();

    await value('saveSettings', settings());
    await value('retryTemplate', { id: view.id });
    await expectIssued(view);
  });

  it('notices within a day when the CNAME of an issued template is removed', async () => {
    const view = await create('gone.example.test');
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    await expectIssued(view);
    await bind.removeCustomerRecord(view.challengeRecords[0]?.name ?? '', 'CNAME');
    const warned = new Promise<TemplateView>((resolve) => {
      const stop = core.events.on((event) => {
        if (
          event.name === 'templateChanged' &&
          event.payload.id === view.id &&
          event.payload.cnameWarning
        ) {
          stop();
          resolve(event.payload);
        }
      });
    });
    clockOffset += 25 * 3_600_000; // the daily re-check is due
    core.engine.wake();
    const changed = await warned;
    expect(changed.status).toBe('issued');
    expect(changed.cnameWarning).toContain(view.challengeRecords[0]?.name ?? '?');
    expect(core.notifier.tray().items.map((i) => i.label)).toContain(
      'gone.example.test: challenge record changed',
    );
  });

  it('takes the CA refusing a name to Unable to Generate with no automatic retry', async () => {
    const view = await create('blocked.example.test');
    await delegate(view);
    await value('checkTemplateNow', { id: view.id });
    const failed = await settled(view.id, ['failed']);
    expect(failed.failure).toMatchObject({ code: 'ca-rejected-identifier' });
    expect(failed.failure?.message).toContain('blocked.example.test');
    expect(failed.failure?.nextAttemptAt).toBeUndefined();
  });
});
