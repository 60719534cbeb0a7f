/**
 * A template linked to a site once gets every later certificate deployed there by itself,
 * against real components: Pebble issuing 20-second certificates, BIND, the keychain, and a
 * real TLS server (Node's own, a stand-in for nginx) serving the deployed folder and reloading
 * on SIGHUP, which the site's post-deploy command sends.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteView, TemplateView } from '../../../shared/types.ts';
import { openCore, type Core } from '../../../electron/core/index.ts';
import { createLogger } from '../../../electron/core/log.ts';
import type { Alert } from '../../../electron/core/notify/alerts.ts';
import { loadKeytar } from '../../../electron/core/secrets/keychain.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startPebble, type PebbleRig } from '../../rig/pebble.ts';
import { spawnTs, waitForLine } from '../../unit/store/fixtures.ts';

let bind: BindRig;
let pebble: PebbleRig;

beforeAll(async () => {
  bind = await startBind();
  pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}`, validitySeconds: 20 });
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

function until<T>(
  core: Core,
  pick: (e: Parameters<Parameters<Core['events']['on']>[0]>[0]) => T | undefined,
): Promise<T> {
  return new Promise((resolve) => {
    const stop = core.events.on((event) => {
      const found = pick(event);
      if (found !== undefined) {
        stop();
        resolve(found);
      }
    });
  });
}

describe('sites', () => {
  it('deploys on linking and again after every renewal, and checks the live site', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-sites-'));
    const folder = join(dir, 'deploy');
    const core = await openCore({
      dataDir: join(dir, 'data'),
      host: 'web',
      version: 'sites-test',
      logger: createLogger([]),
      saveFile: async () => ({ saved: false }),
      openExternal: async () => false,
      liveCheck: { connectHost: '127.0.0.1', timeoutMs: 3000, pauseMs: 500 },
    });
    const alerts: Alert[] = [];
    core.notifier.onAlerts((a) => alerts.push(...a));
    const service = `Certdesk ${core.store.data.installationId}`;
    let server: ReturnType<typeof spawnTs> | undefined;
    try {
      await core.handlers.saveSettings({
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
      const view = await core.handlers.createTemplate({
        commonName: 'site.example.test',
        altNames: ['www.site.example.test'],
        keyType: 'ecdsa-p256',
      });
      for (const r of view.challengeRecords)
        await bind.addCustomerRecord(r.name, 'CNAME', `${r.value}.`);
      const issued = until(core, (e) =>
        e.name === 'templateChanged' && e.payload.status === 'issued' && !e.payload.step
          ? e.payload
          : undefined,
      );
      await core.handlers.checkTemplateNow({ id: view.id });
      await issued;

      const refused = core.handlers
        .saveSite({
          name: 'Shop',
          hosts: ['site.example.test', 'api.site.example.test'],
          port: 443,
          folder,
          pfx: false,
        })
        .then((s) => core.handlers.linkTemplateToSite({ siteId: s.id, templateId: view.id }));
      await expect(refused).rejects.toMatchObject({
        code: 'invalid-input',
        message: expect.stringContaining('api.site.example.test'),
      });

      let site: SiteView = await core.handlers.saveSite({
        name: 'Shop',
        hosts: ['site.example.test', 'www.site.example.test'],
        port: 443,
        folder,
        pfx: true,
      });
      site = await core.handlers.linkTemplateToSite({ siteId: site.id, templateId: view.id });
      expect(site.lastDeployment?.files.map((f) => f.split('/').pop()).sort()).toEqual([
        'cert.pem',
        'certificate.pfx',
        'chain.pem',
        'fullchain.pem',
        'privkey.pem',
      ]);
      expect((await stat(join(folder, 'privkey.pem'))).mode & 0o777).toBe(0o600);
      expect(site.lastDeployment?.ok).toBe(false); // no server listens yet
      expect(site.lastDeployment?.liveChecks.some((c) => c.status === 'serving-latest')).toBe(
        false,
      );

      server = spawnTs(join(import.meta.dirname, '../sites/tls-server-child.ts'), [
        folder,
        site.hosts.join(','),
      ]);
      const port = Number((await waitForLine(server, 'listening ')).split(' ')[1]);
      site = await core.handlers.saveSite({
        id: site.id,
        name: 'Shop',
        hosts: site.hosts,
        port,
        folder,
        pfx: true,
        postDeploy: ['kill', '-HUP', String(server.pid)],
      });
      site = await core.handlers.deploySiteNow({ id: site.id });
      expect(site.lastDeployment).toMatchObject({ ok: true, postDeploy: { exitCode: 0 } });
      expect(site.lastDeployment?.liveChecks.map((c) => c.status)).toEqual([
        'serving-latest',
        'serving-latest',
      ]);

      // Two renewals in a row, each deployed, reloaded and checked live without anyone.
      let redeployed = site;
      for (let round = 0; round < 2; round += 1) {
        const previousSerial = redeployed.lastDeployment?.certificateSerial;
        redeployed = await until(core, (e) =>
          e.name === 'siteChanged' &&
          e.payload.lastDeployment &&
          e.payload.lastDeployment.certificateSerial !== previousSerial
            ? e.payload
            : undefined,
        );
        expect(redeployed.lastDeployment).toMatchObject({ ok: true });
        expect(redeployed.lastDeployment?.liveChecks.map((c) => c.status)).toEqual([
          'serving-latest',
          'serving-latest',
        ]);
      }
      const leaf = new X509Certificate(await readFile(join(folder, 'cert.pem'), 'utf8'));
      expect(leaf.serialNumber.toUpperCase()).toBe(redeployed.lastDeployment?.certificateSerial);
      const renewed = alerts.find((a) => a.kind === 'renewed' && a.templateId === view.id);
      expect(renewed?.body).toContain(
        'Deploying it to Shop (site.example.test, www.site.example.test)',
      );
      const template = (await core.handlers.listTemplates(undefined)).find(
        (t) => t.id === view.id,
      ) as TemplateView;
      expect(template.status).toBe('issued');
    } finally {
      server?.kill('SIGKILL');
      await core.close();
      for (const { account } of await loadKeytar().findCredentials(service))
        await loadKeytar().deletePassword(service, account);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
