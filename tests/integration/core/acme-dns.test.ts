/**
 * Templates on an acme-dns validation zone: one registration per base name at creation, its
 * fulldomain as the CNAME Value, credentials in the keychain only. acme-dns is not packaged
 * for Debian, so this runs against the contract fake of its HTTP API and DNS answers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createConnections } from '../../../electron/core/lifecycle/connections.ts';
import { createLogger } from '../../../electron/core/log.ts';
import {
  createKeytarStore,
  loadKeytar,
  type SecretStore,
} from '../../../electron/core/secrets/keychain.ts';
import { createSettingsService } from '../../../electron/core/settings/settings.ts';
import { startAcmeDnsFake, type AcmeDnsFake } from '../../unit/dns-check/acme-dns-fake.ts';

let fake: AcmeDnsFake;
let dir: string;
let core: Core;
let secrets: SecretStore;
let service: string;

beforeEach(async () => {
  fake = await startAcmeDnsFake();
  dir = await mkdtemp(join(tmpdir(), 'certdesk-acmedns-'));
  core = await openCore({
    dataDir: dir,
    host: 'web',
    version: 't',
    logger: createLogger([]),
    saveFile: async () => ({ saved: false }),
    openExternal: async () => false,
    startLifecycle: false,
    secrets: (id) => {
      service = `Certdesk ${id}`;
      secrets = createKeytarStore({ service });
      return secrets;
    },
  });
  await core.handlers.saveSettings({
    ca: { preset: 'letsencrypt' },
    dns: { kind: 'acme-dns', serverUrl: fake.url },
    resolver: { kind: 'system' },
  });
});

afterEach(async () => {
  await core.close();
  await fake.stop();
  for (const { account } of await loadKeytar().findCredentials(service))
    await loadKeytar().deletePassword(service, account);
  await rm(dir, { recursive: true, force: true });
});

describe('acme-dns templates (against the acme-dns contract fake)', () => {
  it('registers one acme-dns account per base name and keeps its credentials in the keychain', async () => {
    const view = await core.handlers.createTemplate({
      commonName: 'a.example.com',
      altNames: ['*.a.example.com', 'b.example.com'],
      keyType: 'ecdsa-p256',
    });
    expect(view.challengeRecords.map((r) => r.name)).toEqual([
      '_acme-challenge.a.example.com',
      '_acme-challenge.b.example.com',
    ]);
    for (const record of view.challengeRecords)
      expect(record.value).toMatch(new RegExp(`\\.${fake.domain.replaceAll('.', '\\.')}$`));
    expect(fake.requests.filter((p) => p === '/register')).toHaveLength(2);

    const stored = await readFile(join(dir, 'certdesk.json'), 'utf8');
    const accounts = await loadKeytar().findCredentials(service);
    expect(accounts).toHaveLength(2);
    for (const { password } of accounts) {
      const { password: apiKey, username } = JSON.parse(password) as {
        password: string;
        username: string;
      };
      expect(stored).not.toContain(apiKey);
      expect(stored).not.toContain(username);
    }
  });

  it('publishes each TXT value through the registration of its own base name', async () => {
    const view = await core.handlers.createTemplate({
      commonName: 'a.example.com',
      altNames: ['b.example.com'],
      keyType: 'ecdsa-p256',
    });
    const connections = createConnections({
      store: core.store,
      secrets,
      settings: createSettingsService({ store: core.store, secrets, log: createLogger([]) }),
      log: createLogger([]),
    });
    const provider = await connections.dnsProvider(view.id);
    const [a, b] = view.challengeRecords;
    const valueA = 'A'.repeat(43);
    const valueB = 'B'.repeat(43);
    await provider.publishTxt({ fqdn: a?.value ?? '', value: valueA });
    await provider.publishTxt({ fqdn: b?.value ?? '', value: valueB });
    expect(fake.served(a?.value.split('.')[0] ?? '')).toEqual([valueA]);
    expect(fake.served(b?.value.split('.')[0] ?? '')).toEqual([valueB]);
  });

  it('refuses the template and keeps nothing when acme-dns cannot register', async () => {
    const before = await readFile(join(dir, 'certdesk.json'), 'utf8');
    fake.failing = true;
    await expect(
      core.handlers.createTemplate({
        commonName: 'a.example.com',
        altNames: [],
        keyType: 'ecdsa-p256',
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^acme-dns-/) });
    expect(await readFile(join(dir, 'certdesk.json'), 'utf8')).toBe(before);
    expect(await loadKeytar().findCredentials(service)).toEqual([]);
  });

  it('deletes the registrations credentials with the template', async () => {
    const view = await core.handlers.createTemplate({
      commonName: 'a.example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
    });
    expect(await loadKeytar().findCredentials(service)).toHaveLength(1);
    await core.handlers.deleteTemplate({ id: view.id });
    expect(await loadKeytar().findCredentials(service)).toEqual([]);
  });
});
