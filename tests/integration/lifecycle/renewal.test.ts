/**
 * Renewals that need nobody, against real components: Pebble issuing 20-second certificates
 * behind the "ARI proxy in front of Pebble" (Pebble 2.4.0 has no renewalInfo; the proxy adds
 * it and records each order's `replaces`), BIND, and the keychain. The core renews on its own
 * timer; the test only watches.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateView } from '../../../shared/types.ts';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { traySummary, type Alert } from '../../../electron/core/notify/alerts.ts';
import { ariCertId } from '../../../electron/core/renewal/index.ts';
import { loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { startAriProxy, type AriProxy } from '../../rig/ari-proxy.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startPebble, type PebbleRig } from '../../rig/pebble.ts';

let bind: BindRig;
let pebble: PebbleRig;
let proxy: AriProxy;

beforeAll(async () => {
  bind = await startBind();
  pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}`, validitySeconds: 20 });
  proxy = await startAriProxy(pebble.directoryUrl, pebble.caPem);
});
afterAll(async () => {
  await proxy?.stop();
  await pebble?.stop();
  await bind?.stop();
});

const settings = (secret: string) => ({
  ca: { preset: 'custom' as const, directoryUrl: proxy.directoryUrl },
  dns: {
    kind: 'rfc2136' as const,
    server: bind.host,
    port: bind.port,
    zone: bind.zones.validation,
    keyName: bind.tsig.name,
    algorithm: 'hmac-sha256' as const,
    secret,
  },
  resolver: { kind: 'custom' as const, host: bind.host, port: bind.port },
});

/** Resolves with the first view of `id` that satisfies `test`. */
function until(
  core: Core,
  id: string,
  test: (view: TemplateView) => boolean,
): Promise<TemplateView> {
  return new Promise((resolve) => {
    const stop = core.events.on((event) => {
      if (event.name === 'templateChanged' && event.payload.id === id && test(event.payload)) {
        stop();
        resolve(event.payload);
      }
    });
  });
}

describe('renewals through the ARI proxy in front of Pebble', () => {
  it('renews again and again by itself, replacing the previous certificate, status never leaving Latest Certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-renew-'));
    const lines: string[] = [];
    const core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 'renewal-test',
      logger: createLogger([memorySink(lines)], 'debug'),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
    });
    const service = `Certdesk ${core.store.data.installationId}`;
    const alerts: Alert[] = [];
    core.notifier.onAlerts((a) => alerts.push(...a));
    try {
      await core.handlers.saveSettings(settings(bind.tsig.secret));
      const view = await core.handlers.createTemplate({
        commonName: 'renew.example.test',
        altNames: [],
        keyType: 'ecdsa-p256',
      });
      for (const r of view.challengeRecords)
        await bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
      const first = until(core, view.id, (v) => v.status === 'issued' && !v.step);
      await core.handlers.checkTemplateNow({ id: view.id });
      const issued = await first;

      const statuses: string[] = [];
      core.events.on((e) => {
        if (e.name === 'templateChanged' && e.payload.id === view.id)
          statuses.push(e.payload.status);
      });
      const serials = [issued.latestCertificate?.serial];
      for (let round = 0; round < 2; round += 1) {
        const previous = serials.at(-1);
        const renewed = await until(
          core,
          view.id,
          (v) => !v.step && v.latestCertificate?.serial !== previous,
        );
        serials.push(renewed.latestCertificate?.serial);
      }
      expect(new Set(serials).size).toBe(3);
      expect(statuses.every((s) => s === 'issued')).toBe(true);

      const record = core.store.data.templates[0];
      const certificates = record?.certificates ?? [];
      expect(certificates).toHaveLength(3);
      const renewalOrders = proxy.orders
        .filter((o) => o.identifiers.includes('renew.example.test'))
        .slice(1);
      expect(renewalOrders.map((o) => o.replaces)).toEqual([
        ariCertId(certificates[0]?.chainPem ?? ''),
        ariCertId(certificates[1]?.chainPem ?? ''),
      ]);
      expect(new Set(certificates.map((c) => c.keyRef)).size).toBe(3); // a new key every time
      expect(await loadKeytar().getPassword(service, certificates[2]?.keyRef ?? '')).toMatch(
        /PRIVATE KEY/,
      );
      expect(lines.join('\n')).toMatch(/"message":"renewal due".*"reason":"ari-window/);
      for (const r of view.challengeRecords)
        expect(await bind.digTxt(r.value, { norecurse: true })).toEqual([]);

      // Break the DNS provider: the renewal fails, the latest certificate stays in place.
      await core.handlers.saveSettings(
        settings(Buffer.from('a-wrong-tsig-secret-for-this-test').toString('base64')),
      );
      const failedRenewal = await until(core, view.id, (v) => Boolean(v.failure));
      expect(failedRenewal.status).toBe('issued');
      // (a renewal already under way may still finish first; the failure keeps whichever is latest)
      const stored = core.store.data.templates[0]?.certificates.at(-1);
      expect(failedRenewal.latestCertificate?.serial).toBe(stored?.serial);
      expect(failedRenewal.failure?.code).toBe('dns-tsig-badsig');
      const next = Date.parse(failedRenewal.failure?.nextAttemptAt ?? '');
      expect(next).toBeLessThanOrEqual(Date.parse(failedRenewal.latestCertificate?.notAfter ?? ''));
      expect(traySummary([failedRenewal], new Date()).state).not.toBe('ok');
      expect(alerts).toContainEqual(
        expect.objectContaining({
          kind: 'renewal-failed',
          templateId: view.id,
          body: expect.stringMatching(/Next attempt/),
        }),
      );
    } finally {
      await core.close();
      for (const { account } of await loadKeytar().findCredentials(service))
        await loadKeytar().deletePassword(service, account);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the key when the template asks for it, and keeps the ordered ACME profile on renewal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-reuse-'));
    const core = await openCore({
      dataDir: dir,
      host: 'web',
      version: 'renewal-test',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
    });
    const service = `Certdesk ${core.store.data.installationId}`;
    try {
      const base = settings(bind.tsig.secret);
      await core.handlers.saveSettings({ ...base, ca: { ...base.ca, profile: 'shortlived' } });
      const view = await core.handlers.createTemplate({
        commonName: 'reuse.example.test',
        altNames: [],
        keyType: 'ecdsa-p256',
        reuseKey: true,
      });
      expect(view.reuseKey).toBe(true);
      for (const r of view.challengeRecords)
        await bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
      const first = until(core, view.id, (v) => v.status === 'issued' && !v.step);
      await core.handlers.checkTemplateNow({ id: view.id });
      const issued = await first;
      await core.handlers.saveSettings({ ...base, ca: { ...base.ca, profile: 'tlsserver' } });
      await until(
        core,
        view.id,
        (v) => !v.step && v.latestCertificate?.serial !== issued.latestCertificate?.serial,
      );
      const certificates = core.store.data.templates[0]?.certificates ?? [];
      expect(certificates).toHaveLength(2);
      expect(certificates[1]?.keyRef).toBe(certificates[0]?.keyRef);
      expect(certificates.map((c) => c.profile)).toEqual(['shortlived', 'shortlived']);
    } finally {
      await core.close();
      for (const { account } of await loadKeytar().findCredentials(service))
        await loadKeytar().deletePassword(service, account);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
