/**
 * What the site specs do in the Sites tab the way an administrator would, selecting by role
 * and label: fill in and save the site form, find a site's card, read a deployment result and
 * the live check of one host, and start the local TLS server that stands in for a site.
 */
import type { ChildProcess } from 'node:child_process';
import type { Locator, Page } from '@playwright/test';
import { spawnTs, waitForLine } from '../unit/store/fixtures.ts';
import { expect } from './fixtures.ts';
import { openTab } from './ui.ts';

/** What the Add site / Edit site form takes; unset fields are left as they are. */
export interface SiteFields {
  name?: string;
  hosts?: string[];
  port?: string;
  folder?: string;
  pfx?: boolean;
  postDeploy?: string[];
}

/** Types `fields` into an open site form. */
export async function fillSiteForm(dialog: Locator, fields: SiteFields): Promise<void> {
  if (fields.name !== undefined) await dialog.getByLabel('Site name').fill(fields.name);
  if (fields.hosts) await dialog.getByLabel('Hosts').fill(fields.hosts.join('\n'));
  if (fields.port !== undefined) await dialog.getByLabel('TLS port').fill(fields.port);
  if (fields.folder !== undefined) await dialog.getByLabel('Deployment folder').fill(fields.folder);
  if (fields.pfx !== undefined)
    await dialog.getByLabel('Also write a PFX file').setChecked(fields.pfx);
  if (fields.postDeploy)
    await dialog.getByLabel('Post-deploy command').fill(fields.postDeploy.join('\n'));
}

/** The card of the site named `name` in the Sites tab. */
export function siteCard(page: Page, name: string): Locator {
  return page.getByRole('article', { name, exact: true });
}

/** The value a site card shows for `term` (Hosts, TLS port, Linked template, ...). */
export function siteFact(card: Locator, term: string): Locator {
  return card
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** Adds a site through Add site in the Sites tab; returns its card. */
export async function addSite(page: Page, fields: SiteFields & { name: string }): Promise<Locator> {
  await openTab(page, 'Sites');
  await page.getByRole('button', { name: 'Add site' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add site' });
  await expect(dialog.getByLabel('TLS port')).toHaveValue('443');
  await fillSiteForm(dialog, fields);
  await dialog.getByRole('button', { name: 'Save site' }).click();
  await expect(dialog).toBeHidden();
  const card = siteCard(page, fields.name);
  await expect(card).toBeVisible();
  return card;
}

/** Opens Edit site from a card, types `fields` and saves. */
export async function editSite(card: Locator, fields: SiteFields): Promise<void> {
  await card.getByRole('button', { name: 'Edit', exact: true }).click();
  const dialog = card.page().getByRole('dialog', { name: /^Edit site / });
  await fillSiteForm(dialog, fields);
  await dialog.getByRole('button', { name: 'Save site' }).click();
  await expect(dialog).toBeHidden();
}

/** A deployment result inside `within`, by its heading ("Last deployment", ...). */
export function deploymentResult(within: Locator, label = 'Last deployment'): Locator {
  return within.getByRole('region', { name: label, exact: true });
}

/** The row of the live check table for `host` (its first cell is exactly `host:port`). */
export function liveCheck(result: Locator, host: string): Locator {
  const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return result
    .getByRole('table', { name: 'Live check per host' })
    .getByRole('row')
    .filter({ has: result.page().getByRole('cell', { name: new RegExp(`^${escaped}:\\d+$`) }) });
}

/** Node's own TLS server serving a site folder (tests/integration/sites/tls-server-child.ts). */
export interface TlsServer {
  child: ChildProcess;
  port: number;
  pid: number;
  /** Resolves with the leaf's SHA-256 fingerprint at the next reload (SIGHUP). */
  nextReload: () => Promise<string>;
  stop: () => void;
}

/**
 * Starts the stand-in web server on 127.0.0.1 for `hosts` (a handshake naming any other host
 * is refused), serving `folder`'s fullchain.pem and privkey.pem, which must exist already.
 */
export async function startTlsServer(folder: string, hosts: string[]): Promise<TlsServer> {
  const child = spawnTs('tests/integration/sites/tls-server-child.ts', [folder, hosts.join(',')]);
  const line = await waitForLine(child, 'listening ');
  const port = Number(line.split(' ')[1]);
  if (!Number.isInteger(port) || port <= 0 || child.pid === undefined)
    throw new Error(`the TLS server did not start: ${line}`);
  return {
    child,
    port,
    pid: child.pid,
    nextReload: async () => (await waitForLine(child, 'reloaded ')).split(' ')[1] ?? '',
    stop: () => void child.kill(),
  };
}
