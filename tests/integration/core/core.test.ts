/**
 * The core end to end in plain Node: real durable store on disk, real OS keychain (the test
 * run provides a private gnome-keyring), real dispatcher. Exports go through the SaveFile port.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type InvokeMethod } from '../../../shared/channels.ts';
import type { IpcResult, ResponseTypes } from '../../../shared/contract.ts';
import { openCore, type Core, type CoreEvent } from '../../../electron/core/index.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { createKeytarStore, loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { SETTINGS_SECRET_ACCOUNTS } from '../../../electron/core/settings/settings.ts';
import { createDispatcher, type Dispatch } from '../../../electron/rpc/dispatch.ts';
import { seedRecord } from '../../../electron/testhost/seed.ts';
import { newestFirst } from '../../../shared/template-order.ts';
import type { TemplateView } from '../../../shared/types.ts';

const TSIG_SECRET = `Q0FOQVJZLXRzaWctJHtyYW5kb219${randomUUID().replaceAll('-', '')}`;
const rfc2136 = {
  kind: 'rfc2136' as const,
  server: '127.0.0.1',
  port: 5353,
  zone: 'Validation.Example.TEST.',
  keyName: 'certdesk-key',
  algorithm: 'hmac-sha256' as const,
};

let dir: string;
let core: Core;
let dispatch: Dispatch;
let service: string;
let saved: { name: string; contents: string }[];
let events: CoreEvent[];
let logLines: string[];

async function call<M extends InvokeMethod>(
  method: M,
  payload?: unknown,
): Promise<IpcResult<ResponseTypes[M]>> {
  return (await dispatch(INVOKE_CHANNELS[method], payload)) as IpcResult<ResponseTypes[M]>;
}

async function value<M extends InvokeMethod>(
  method: M,
  payload?: unknown,
): Promise<ResponseTypes[M]> {
  const result = await call(method, payload);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.message}`);
  return result.value;
}

const storeFile = () => readFile(join(dir, 'certdesk.json'), 'utf8');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-core-'));
  saved = [];
  events = [];
  logLines = [];
  const logger = createLogger([memorySink(logLines)], 'debug');
  core = await openCore({
    dataDir: dir,
    host: 'web',
    version: '0.0.0-test',
    logger,
    saveFile: async (name, contents) => {
      saved.push({ name, contents });
      return { saved: true, path: join(dir, name) };
    },
    openExternal: async () => true,
    startLifecycle: false,
    secrets: (installationId) => {
      service = `Certdesk ${installationId}`;
      return createKeytarStore({ service });
    },
  });
  core.events.on((event) => events.push(event));
  dispatch = createDispatcher(core.handlers, logger);
});

afterEach(async () => {
  await core.close();
  const keytar = loadKeytar();
  for (const { account } of await keytar.findCredentials(service))
    await keytar.deletePassword(service, account);
  await rm(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('keeps the TSIG secret in the keychain, never in the store or the view', async () => {
    const view = await value('saveSettings', {
      ca: { preset: 'letsencrypt' },
      dns: { ...rfc2136, secret: TSIG_SECRET },
      resolver: { kind: 'system' },
    });
    expect(view.dns).toEqual({ ...rfc2136, zone: 'validation.example.test', secretStored: true });
    expect(JSON.stringify(view)).not.toContain(TSIG_SECRET);
    expect(await storeFile()).not.toContain(TSIG_SECRET);
    expect(await loadKeytar().getPassword(service, SETTINGS_SECRET_ACCOUNTS.tsigSecret)).toBe(
      TSIG_SECRET,
    );
    expect(logLines.join('\n')).not.toContain(TSIG_SECRET);
  });

  it('keeps the stored secret when a later save leaves the field empty', async () => {
    await value('saveSettings', {
      ca: { preset: 'letsencrypt' },
      dns: { ...rfc2136, secret: TSIG_SECRET },
      resolver: { kind: 'system' },
    });
    const view = await value('saveSettings', {
      ca: { preset: 'letsencrypt-staging' },
      dns: rfc2136,
      resolver: { kind: 'custom', host: '127.0.0.1', port: 5300 },
    });
    expect(view.ca.directoryUrl).toContain('acme-staging-v02');
    expect(view.dns).toMatchObject({ secretStored: true });
    expect(await loadKeytar().getPassword(service, SETTINGS_SECRET_ACCOUNTS.tsigSecret)).toBe(
      TSIG_SECRET,
    );
  });

  it('refuses ZeroSSL without External Account Binding and changes nothing', async () => {
    const before = await storeFile();
    const result = await call('saveSettings', {
      ca: { preset: 'zerossl' },
      resolver: { kind: 'system' },
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', issues: [{ field: 'ca.eabKeyId' }] },
    });
    expect(await storeFile()).toBe(before);
  });

  it('refuses a first RFC 2136 setup without a secret', async () => {
    const result = await call('saveSettings', {
      ca: { preset: 'letsencrypt' },
      dns: rfc2136,
      resolver: { kind: 'system' },
    });
    expect(result).toMatchObject({ ok: false, error: { issues: [{ field: 'dns.secret' }] } });
  });
});

describe('templates', () => {
  const configure = () =>
    value('saveSettings', {
      ca: { preset: 'letsencrypt' },
      dns: { ...rfc2136, secret: TSIG_SECRET },
      resolver: { kind: 'system' },
    });

  it('asks for the validation zone before the first template, storing nothing', async () => {
    const before = await storeFile();
    const result = await call('createTemplate', {
      commonName: 'example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'settings-incomplete', message: expect.stringMatching(/validation zone/) },
    });
    expect(await storeFile()).toBe(before);
  });

  it('creates a template at Pending Verification with one challenge record per base name', async () => {
    await configure();
    const view = await value('createTemplate', {
      commonName: 'bücher.example',
      altNames: ['*.bücher.example', 'www.bücher.example'],
      country: 'DE',
      keyType: 'ecdsa-p384',
    });
    expect(view).toMatchObject({
      commonName: 'xn--bcher-kva.example',
      status: 'pending',
      step: 'waiting-for-cname',
      country: 'DE',
    });
    expect(view.challengeRecords.map((r) => r.name)).toEqual([
      '_acme-challenge.xn--bcher-kva.example',
      '_acme-challenge.www.xn--bcher-kva.example',
    ]);
    for (const record of view.challengeRecords)
      expect(record.value).toMatch(/^[a-z2-7]{26}\.validation\.example\.test$/);
    expect(view).not.toHaveProperty('secretRefs');
    expect(events).toContainEqual({ name: 'templateChanged', payload: view });
    expect(await value('listTemplates')).toEqual([view]);
    expect(JSON.parse(await storeFile()).templates).toHaveLength(1);
  });

  it('survives a restart with the same records', async () => {
    await configure();
    const view = await value('createTemplate', {
      commonName: 'example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    await core.close();
    core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 't',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
      secrets: () => createKeytarStore({ service }),
    });
    dispatch = createDispatcher(core.handlers, createLogger([]));
    expect(await value('listTemplates')).toEqual([view]);
  });

  it('deletes a template together with its keychain entries', async () => {
    await configure();
    const view = await value('createTemplate', {
      commonName: 'example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    const account = `template:${view.id}:key-1`;
    await loadKeytar().setPassword(service, account, 'key material stand-in');
    await core.store.update((doc) => {
      doc.templates[0]?.secretRefs.push(account);
    });
    expect(await value('deleteTemplate', { id: view.id })).toEqual({ id: view.id });
    expect(await loadKeytar().getPassword(service, account)).toBeNull();
    expect(await value('listTemplates')).toEqual([]);
    expect(events.at(-1)).toEqual({ name: 'templateRemoved', payload: { id: view.id } });
  });

  it('says not-found for a template that does not exist', async () => {
    const result = await call('deleteTemplate', { id: randomUUID() });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('Retry Generate takes an Unable to Generate template back to Pending Verification', async () => {
    await configure();
    const view = await value('createTemplate', {
      commonName: 'example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    await core.store.update((doc) => {
      const t = doc.templates[0];
      if (!t) return;
      t.status = 'failed';
      t.failure = { code: 'dns-not-delegated', message: 'no CNAME', at: new Date().toISOString() };
    });
    const retried = await value('retryTemplate', { id: view.id });
    expect(retried).toMatchObject({ status: 'pending', step: 'waiting-for-cname' });
    expect(retried.failure).toBeUndefined();
  });

  it('exports the CNAME records of the selected templates through the save port', async () => {
    await configure();
    const a = await value('createTemplate', {
      commonName: 'a.example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    await value('createTemplate', {
      commonName: 'b.example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    const result = await value('exportCsv', { templateIds: [a.id], mode: 'raw' });
    expect(result).toMatchObject({ saved: true, rows: 1 });
    expect(saved[0]?.name).toMatch(/^certdesk-cname-records-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(saved[0]?.contents).toContain(
      `${a.id},a.example.com,CNAME,_acme-challenge.a.example.com,${a.challengeRecords[0]?.value},3600,Pending Verification`,
    );
    expect(saved[0]?.contents).not.toContain('b.example.com');
    const zone = await value('getZoneLines', {});
    expect(zone.rows).toBe(2);
  });
});

describe('template list pages', () => {
  /** 30 templates; every third shares its creation time with the one before it. */
  async function seed(): Promise<void> {
    const base = new Date('2026-12-01T00:00:00.000Z');
    await core.store.update((doc) => {
      for (let i = 0; i < 30; i += 1) {
        const record = seedRecord(i, 'validation.example.test', base);
        if (i % 3 === 2) record.createdAt = doc.templates.at(-1)?.createdAt ?? record.createdAt;
        doc.templates.push(record);
      }
    });
  }

  const after = (view: TemplateView) => ({ createdAt: view.createdAt, id: view.id });

  it('walks the whole list newest first, each template exactly once', async () => {
    await seed();
    const all = await value('listTemplates');
    const walked: TemplateView[] = [];
    let page = await value('listTemplates', { limit: 7 });
    while (page.length > 0) {
      walked.push(...page);
      page = await value('listTemplates', { limit: 7, after: after(page.at(-1) as TemplateView) });
    }
    expect(walked).toHaveLength(30);
    expect(walked).toEqual([...all].sort(newestFirst));
  });

  it('neither skips nor repeats a template when others are created or deleted between pages', async () => {
    await seed();
    const first = await value('listTemplates', { limit: 10 });
    // Delete one already listed and one not listed yet, and add a newer one.
    const listed = first[3] as TemplateView;
    const all = await value('listTemplates');
    const later = [...all].sort(newestFirst)[20] as TemplateView;
    await core.store.update((doc) => {
      doc.templates = doc.templates.filter((t) => t.id !== listed.id && t.id !== later.id);
      doc.templates.push(seedRecord(99, 'validation.example.test', new Date('2026-12-02')));
    });
    const rest = await value('listTemplates', { after: after(first.at(-1) as TemplateView) });
    const ids = [...first, ...rest].map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const remaining = all.filter((t) => t.id !== listed.id && t.id !== later.id);
    for (const t of remaining) expect(ids).toContain(t.id);
    expect(ids).not.toContain(later.id);
    expect(rest).toHaveLength(19);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 10_001 }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ after: { createdAt: 'yesterday', id: 'abc' } }, 'createdAt'],
    [{ after: { createdAt: '2026-12-01T00:00:00.000Z', id: '../x' } }, 'id'],
    [{ limit: 5, offset: 3 }, 'offset'],
  ])('refuses the page request %j', async (payload, field) => {
    await seed();
    const result = await call('listTemplates', payload);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(result)).toContain(field);
  });
});

describe('key types the keychain cannot hold', () => {
  it('refuses RSA 4096 where one keychain entry holds 2,560 bytes (Windows), storing nothing', async () => {
    const winDir = await mkdtemp(join(tmpdir(), 'certdesk-win-'));
    const win = await openCore({
      dataDir: winDir,
      host: 'web',
      version: 't',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
      startLifecycle: false,
      secrets: (id) => createKeytarStore({ service: `Certdesk ${id}`, platform: 'win32' }),
    });
    try {
      await win.handlers.saveSettings({
        ca: { preset: 'letsencrypt' },
        dns: { ...rfc2136, secret: TSIG_SECRET },
        resolver: { kind: 'system' },
      });
      const before = await readFile(join(winDir, 'certdesk.json'), 'utf8');
      const refused = await createDispatcher(win.handlers, createLogger([]))(
        INVOKE_CHANNELS.createTemplate,
        {
          commonName: 'example.com',
          altNames: [],
          keyType: 'rsa-4096',
        },
      );
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'invalid-input',
          issues: [{ field: 'keyType', message: expect.stringMatching(/2,?560/) }],
        },
      });
      expect(await readFile(join(winDir, 'certdesk.json'), 'utf8')).toBe(before);
      const accepted = await win.handlers.createTemplate({
        commonName: 'example.com',
        altNames: [],
        keyType: 'rsa-3072',
      });
      expect(accepted.keyType).toBe('rsa-3072');
    } finally {
      const installation = win.store.data.installationId;
      await win.close();
      const keytar = loadKeytar();
      for (const { account } of await keytar.findCredentials(`Certdesk ${installation}`))
        await keytar.deletePassword(`Certdesk ${installation}`, account);
      await rm(winDir, { recursive: true, force: true });
    }
  });
});
