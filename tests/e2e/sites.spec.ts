/**
 * Sites in Chromium through the test host, against real components: Pebble and BIND (the
 * worker's rig) issue the certificate, the core deploys it into a real folder, runs a real
 * post-deploy command, and checks a real TLS server, Node's own, serving that folder on
 * 127.0.0.1. The host's live checks connect to 127.0.0.1 while SNI names each host, and the
 * server refuses any other name, so a passing check proves each host was asked for by name.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { CertificateView } from '../../shared/types.ts';
import { configureRig, expect, test } from './fixtures.ts';
import {
  addSite,
  deploymentResult,
  editSite,
  liveCheck,
  siteCard,
  siteFact,
  startTlsServer,
  type TlsServer,
} from './sites-ui.ts';
import { issueInUi, openTab, statusAction, templateRow } from './ui.ts';

test.use({ hostOptions: { seedTemplates: 0, liveCheckConnectHost: '127.0.0.1' } });
test.describe.configure({ timeout: 240_000 });

/** A fresh label, so names never meet records another test left in the worker's BIND. */
const label = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Bounds one deployment with its live checks (which retry a server still reloading). */
const DEPLOYMENT = { timeout: 60_000 };

async function latestCertificate(page: Page, commonName: string): Promise<CertificateView> {
  const result = await page.evaluate(() => window.certdesk.listTemplates());
  if (!result.ok) throw new Error(result.error.message);
  const certificate = result.value.find((t) => t.commonName === commonName)?.latestCertificate;
  if (!certificate) throw new Error(`${commonName} has no certificate`);
  return certificate;
}

const bareFingerprint = (text: string) => text.replaceAll(':', '').toUpperCase();

test('deploys a linked certificate, reloads the server with the post-deploy command and shows each host serving it', async ({
  page,
  rig,
}) => {
  const name = `${label('shop')}.example.test`;
  const hosts = [name, `www.${name}`];
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-site-'));
  const folder = join(dir, 'certs');
  let server: TlsServer | undefined;
  try {
    await configureRig(page, rig);
    await issueInUi(page, rig, name, [`*.${name}`]);
    const certificate = await latestCertificate(page, name);

    // Linking deploys at once; nothing listens on port 443 yet, and the result says so per host.
    const card = await addSite(page, { name: 'Shop', hosts, folder });
    await expect(card.getByRole('button', { name: 'Deploy now' })).toBeDisabled();
    await card.getByRole('button', { name: 'Link certificate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Link a certificate to Shop' });
    await expect(dialog).toContainText('Linking is a one-time step');
    await dialog
      .getByLabel('Certificate template')
      .selectOption({ label: `${name} (+ *.${name})` });
    await dialog.getByRole('button', { name: 'Link and deploy' }).click();
    await expect(dialog.getByRole('status')).toHaveText('Linked to Shop.', DEPLOYMENT);
    const afterLink = deploymentResult(dialog, 'Deployment after linking');
    await expect(afterLink).toContainText(`certificate ${certificate.serial} of ${name}`);
    for (const host of hosts) await expect(liveCheck(afterLink, host)).toContainText('Unreachable');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await expect(siteFact(card, 'Linked template')).toHaveText(name);
    const first = deploymentResult(card);
    await expect(first).toContainText('Deployed, needs attention');
    await expect(first).toContainText('cert.pem, chain.pem');
    for (const host of hosts) {
      const check = liveCheck(first, host);
      await expect(check).toContainText('Unreachable');
      await expect(check).toContainText(`Could not connect to ${host}:443`);
    }

    // The folder holds the issued certificate and its key, the key readable by the owner only.
    expect((await readdir(folder)).sort()).toEqual(
      ['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem'].sort(),
    );
    expect((await stat(join(folder, 'privkey.pem'))).mode & 0o777).toBe(0o600);
    const leaf = new X509Certificate(await readFile(join(folder, 'cert.pem')));
    expect(bareFingerprint(leaf.fingerprint256)).toBe(
      bareFingerprint(certificate.fingerprintSha256),
    );

    // The web server comes up on the deployed files; the site learns its port and reload command.
    server = await startTlsServer(folder, hosts);
    await editSite(card, {
      port: String(server.port),
      postDeploy: ['kill', '-HUP', `${server.pid}`],
    });
    await expect(card).toContainText(`kill -HUP ${server.pid}`);
    const reloaded = server.nextReload();
    await card.getByRole('button', { name: 'Deploy now' }).click();

    const second = deploymentResult(card);
    await expect(second).toContainText('Deployed and serving', DEPLOYMENT);
    await expect(second).toContainText('Post-deploy command succeeded (exit status 0).');
    await expect(second).toContainText(`certificate ${certificate.serial}`);
    for (const host of hosts) {
      const check = liveCheck(second, host);
      await expect(check).toHaveAttribute('data-status', 'serving-latest');
      await expect(check.getByRole('cell').nth(1)).toHaveText('Serving the latest certificate');
      await expect(check).toContainText(
        `${host}:${server.port} serves the certificate Certdesk deployed`,
      );
    }
    // The command really ran: the server reloaded the deployed certificate.
    expect(bareFingerprint(await reloaded)).toBe(bareFingerprint(certificate.fingerprintSha256));
  } finally {
    server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('refuses to link a certificate that leaves a host uncovered, naming the host, and links once it covers them', async ({
  page,
  rig,
}) => {
  const name = `${label('api')}.example.test`;
  const admin = `${label('admin')}.example.test`;
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-site-'));
  const folder = join(dir, 'certs');
  try {
    await configureRig(page, rig);
    await issueInUi(page, rig, name);
    const card = await addSite(page, { name: 'API', hosts: [name, admin], folder });

    await openTab(page, 'Certificate Templates');
    await statusAction(templateRow(page, name), 'Details');
    const details = page.getByRole('dialog', { name: `Certificate details for ${name}` });
    const sites = details.getByRole('region', { name: 'Sites', exact: true });
    await expect(sites).toContainText('Linking is a one-time step');
    await sites.getByLabel('Site').selectOption({ label: `API (${name}, ${admin})` });
    await sites.getByRole('button', { name: 'Link to site' }).click();
    await expect(sites.getByRole('alert')).toHaveText(
      new RegExp(`^The certificate does not cover ${admin.replaceAll('.', '\\.')}; add this host`),
    );
    await expect(sites.getByRole('list', { name: 'Linked sites' })).toHaveCount(0);
    await details.getByRole('button', { name: 'Close' }).click();

    // Refused means untouched: no files, no link, no deployment.
    await expect(stat(folder)).rejects.toThrow(/ENOENT/);
    await openTab(page, 'Sites');
    await expect(siteFact(card, 'Linked template')).toHaveText(/^None yet/);
    await expect(card).toContainText('Not deployed yet.');

    // Without the uncovered host, the same link succeeds and shows the deployment's result.
    await editSite(card, { hosts: [name] });
    await openTab(page, 'Certificate Templates');
    await statusAction(templateRow(page, name), 'Details');
    await sites.getByLabel('Site').selectOption({ label: `API (${name})` });
    await sites.getByRole('button', { name: 'Link to site' }).click();
    const result = deploymentResult(sites, 'Deployment after linking');
    await expect(result).toContainText('Deployed, needs attention', DEPLOYMENT);
    await expect(liveCheck(result, name)).toContainText('Unreachable');
    await expect(sites.getByRole('list', { name: 'Linked sites' })).toContainText('API');
    expect(await readdir(folder)).toContain('fullchain.pem');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("shows main's refusal of each bad host at the Hosts field, then saves, edits and deletes the site", async ({
  page,
}) => {
  await openTab(page, 'Sites');
  await expect(page.getByText('No sites yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Add site' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add site' });

  // The form's own checks show at their fields before anything is sent.
  await dialog.getByRole('button', { name: 'Save site' }).click();
  await expect(dialog.getByLabel('Site name')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByLabel('Hosts')).toHaveAccessibleDescription(/at least one host/);
  await dialog.getByLabel('Deployment folder').fill('certs/shop');
  await expect(dialog.getByLabel('Deployment folder')).toHaveAccessibleDescription(
    /^Deployment folder must be an absolute path/,
  );

  // Main judges the host names; each refused host is named at the Hosts field.
  await dialog.getByLabel('Site name').fill('Storefront');
  await dialog
    .getByLabel('Hosts')
    .fill('store.example.test\nbad..example.test\n*.wild.example.test');
  await dialog.getByLabel('Deployment folder').fill('/srv/certdesk-e2e/storefront');
  await dialog.getByRole('button', { name: 'Save site' }).click();
  const hostsField = dialog.getByLabel('Hosts');
  await expect(hostsField).toHaveAttribute('aria-invalid', 'true');
  await expect(hostsField).toHaveAccessibleDescription(/Host "bad\.\.example\.test" /);
  await expect(hostsField).toHaveAccessibleDescription(
    /Host "\*\.wild\.example\.test" is a wildcard/,
  );
  await expect(dialog.getByLabel('Site name')).not.toHaveAttribute('aria-invalid', 'true');
  expect(await page.evaluate(() => window.certdesk.listSites())).toEqual({ ok: true, value: [] });

  await hostsField.fill('store.example.test, www.store.example.test');
  await expect(hostsField).not.toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Save site' }).click();
  await expect(dialog).toBeHidden();
  const card = siteCard(page, 'Storefront');
  await expect(siteFact(card, 'Hosts')).toHaveText(
    /^\s*store\.example\.test\s*www\.store\.example\.test\s*$/,
  );
  await expect(siteFact(card, 'TLS port')).toHaveText('443');
  await expect(card.getByRole('button', { name: 'Deploy now' })).toBeDisabled();

  await editSite(card, { name: 'Storefront EU', port: '8443' });
  const renamed = siteCard(page, 'Storefront EU');
  await expect(siteFact(renamed, 'TLS port')).toHaveText('8443');

  // Delete asks first; Cancel keeps the site.
  await renamed.getByRole('button', { name: 'Delete Storefront EU' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete site?' });
  await expect(confirm).toContainText('/srv/certdesk-e2e/storefront');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(renamed).toBeVisible();
  await renamed.getByRole('button', { name: 'Delete Storefront EU' }).click();
  await confirm.getByRole('button', { name: 'Delete site' }).click();
  await expect(renamed).toBeHidden();
  await expect(page.getByText('No sites yet.')).toBeVisible();
  expect(await page.evaluate(() => window.certdesk.listSites())).toEqual({ ok: true, value: [] });
});
