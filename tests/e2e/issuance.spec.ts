/**
 * Issuance in Chromium through the test host, against real components: Pebble 2.4.0 in strict
 * mode rejecting 20% of nonces, BIND serving the customer zone and the TSIG-protected
 * validation zone, and the OS keychain (gnome-keyring on a private D-Bus session). The test
 * plays the administrator in the UI and the DNS team in BIND, with the record names and
 * values it read from the UI.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import type { TemplateDetails } from '../../shared/types.ts';
import { configureRig, expect, test, type Rig, type TestHost } from './fixtures.ts';
import {
  createTemplate,
  latestCheck,
  readRecords,
  statusAction,
  statusLabel,
  templateRow,
} from './ui.ts';

/** Issuance talks to a CA and DNS; this bounds a whole attempt, it measures nothing. */
const ISSUANCE = { timeout: 90_000 };

test.describe.configure({ timeout: 240_000 });

const absolute = (name: string) => (name.endsWith('.') ? name : `${name}.`);

/** The DNS team creates the CNAME the administrator handed over. */
async function delegate(rig: Rig, record: { name: string; value: string }): Promise<void> {
  await rig.bind.addCustomerRecord(record.name, 'CNAME', absolute(record.value));
}

async function details(page: Page, id: string): Promise<TemplateDetails> {
  const result = await page.evaluate((templateId) => {
    return window.certdesk.getTemplateDetails({ id: templateId });
  }, id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function templateId(page: Page, commonName: string): Promise<string> {
  const result = await page.evaluate(() => window.certdesk.listTemplates());
  if (!result.ok) throw new Error(result.error.message);
  const found = result.value.find((t) => t.commonName === commonName);
  if (!found) throw new Error(`no template ${commonName}`);
  return found.id;
}

/** Records every step and detail line the row's status label shows, as it shows them. */
async function recordSteps(row: Locator): Promise<() => Promise<string[]>> {
  await row.getByRole('group').evaluate((group) => {
    const seen: string[] = [];
    (window as unknown as { __steps: string[] }).__steps = seen;
    const note = () => {
      const step = group.getAttribute('data-step');
      if (step && seen.at(-1) !== step) seen.push(step);
    };
    new MutationObserver(note).observe(group, { attributes: true, attributeFilter: ['data-step'] });
  });
  return () => row.page().evaluate(() => (window as unknown as { __steps: string[] }).__steps);
}

/** The value a "Latest Certificate" fact shows: the definition right after its term. */
function fact(dialog: Locator, term: string): Locator {
  return dialog
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/**
 * K4: no message to the renderer carries key material or a secret. The TSIG secrets may appear
 * only in the saveSettings requests the administrator sent (renderer to main).
 */
async function expectNoSecretsSent(host: TestHost, secrets: string[]): Promise<void> {
  const lines = (await readFile(host.ipcLog, 'utf8')).split('\n').filter((l) => l !== '');
  expect(lines.some((line) => line.startsWith('out '))).toBe(true);
  for (const line of lines) {
    expect(line).not.toContain('PRIVATE KEY');
    const space = line.indexOf(' ');
    const [direction, message] = [line.slice(0, space), line.slice(space + 1)];
    const carriesSecret = secrets.some((secret) => line.includes(secret));
    if (direction === 'out') {
      expect(carriesSecret, `a message to the renderer: ${line.slice(0, 120)}`).toBe(false);
      expect(line).not.toMatch(/"d"\s*:/);
    } else if (carriesSecret) {
      expect((JSON.parse(message) as { channel: string }).channel).toBe('certdesk:save-settings');
    }
  }
}

async function saveTsigSecretInSettings(page: Page, secret: string): Promise<void> {
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByLabel('TSIG secret')).toHaveAccessibleDescription(/stored in the OS/);
  await page.getByLabel('TSIG secret').fill(secret);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await page.getByRole('tab', { name: 'Certificate Templates' }).click();
}

test('turns Pending Verification into Latest Certificate once the CNAME is created', async ({
  page,
  host,
  rig,
}) => {
  await configureRig(page, rig);
  const records = await createTemplate(page, 'shop.example.test', ['*.shop.example.test']);
  expect(records).toHaveLength(1);
  const record = records[0] as (typeof records)[number];
  const row = templateRow(page, 'shop.example.test');
  const label = statusLabel(row);
  await expect(label).toHaveText('Pending Verification');
  await expect(label).toHaveAccessibleDescription(/^Waiting for CNAME · next check in \d+ second/);

  // Before the DNS team acts, the dialog shows what DNS answered against what is expected.
  await statusAction(row, 'DNS Challenge Configuration');
  const dialog = page.getByRole('dialog', { name: 'DNS Challenge Configuration' });
  expect(await readRecords(dialog)).toEqual(records);
  const check = latestCheck(dialog, record.name);
  await expect(check).toContainText('No record');
  await expect(check).toContainText(`Expected CNAME ${record.value}`);

  // The DNS team points the record at the wrong target; Check now shows what it found.
  await rig.bind.addCustomerRecord(record.name, 'CNAME', 'somewhere-else.validation.test.');
  await dialog.getByRole('button', { name: 'Check now' }).click();
  await expect(check).toContainText('Wrong target');
  await expect(check).toContainText('somewhere-else.validation.test');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(label).toHaveText('Pending Verification');

  // The DNS team corrects it with the values read from the dialog; Check now issues.
  const steps = await recordSteps(row);
  await statusLabel(row).hover();
  await expect(row.getByRole('button', { name: 'Check now' })).toBeVisible();
  await rig.bind.removeCustomerRecord(record.name, 'CNAME');
  await delegate(rig, record);
  await row.getByRole('button', { name: 'Check now' }).click();
  await expect(label).toHaveText('Latest Certificate', ISSUANCE);
  await expect(row).toHaveAttribute('data-state', 'issued');
  await expect(label).toHaveAccessibleDescription(/^Valid until .+ · \d+ days left$/);
  // Each step was shown live, in order.
  const shown = await steps();
  const expected = ['publishing-txt', 'confirming-txt', 'ca-validating', 'finalizing'];
  expect(shown.filter((s) => expected.includes(s))).toEqual(expected);

  // The details match what main holds.
  const id = await templateId(page, 'shop.example.test');
  const held = await details(page, id);
  const certificate = held.certificates[0];
  expect(certificate).toBeDefined();
  await statusAction(row, 'Details');
  const view = page.getByRole('dialog', { name: 'Certificate details for shop.example.test' });
  await expect(fact(view, 'Common name')).toHaveText('shop.example.test');
  await expect(fact(view, 'Alternative names')).toHaveText('*.shop.example.test');
  await expect(fact(view, 'Issuer')).toHaveText(certificate?.issuer ?? '');
  expect(certificate?.issuer).toMatch(/Pebble/);
  await expect(fact(view, 'Serial')).toHaveText(certificate?.serial ?? '');
  await expect(fact(view, 'SHA-256 fingerprint')).toHaveText(certificate?.fingerprintSha256 ?? '');
  await expect(fact(view, 'Days left')).toHaveText(/^\d+$/);
  await expect(fact(view, 'Key type')).toHaveText('ECDSA P-256');

  const history = view.getByRole('table', { name: 'Certificate history' });
  await expect(history.getByRole('row')).toHaveCount(2);
  await expect(history.getByRole('row').nth(1)).toContainText(certificate?.serial ?? '');

  const audit = view.getByRole('table', { name: 'Audit log' });
  await expect(audit.getByRole('row')).toHaveCount(held.audit.length + 1);
  const newest = audit.getByRole('row').nth(1);
  await expect(newest).toContainText('Succeeded');
  await expect(newest).toContainText(`Certificate ${certificate?.serial} issued`);
  for (const step of ['Publishing TXT', 'CA validating', 'Finalizing', 'Cleaning up'])
    await expect(audit.getByRole('cell', { name: step, exact: true }).first()).toBeVisible();
  await view.getByRole('button', { name: 'Close' }).click();

  await expectNoSecretsSent(host, [rig.bind.tsig.secret]);
});

test('shows the DNS server refusing a wrong TSIG secret, and Retry Generate after the fix issues', async ({
  page,
  host,
  rig,
}) => {
  await configureRig(page, rig);
  const wrongSecret = Buffer.from(`not-the-rig-secret-${Date.now()}`).toString('base64');
  await saveTsigSecretInSettings(page, wrongSecret);

  const records = await createTemplate(page, 'tsig.example.test');
  const row = templateRow(page, 'tsig.example.test');
  // The first check (at creation) is over once the next one is scheduled.
  await expect(statusLabel(row)).toHaveAccessibleDescription(/next check in/);
  for (const record of records) await delegate(rig, record);
  await statusAction(row, 'Check now');
  const label = statusLabel(row);
  await expect(label).toHaveText('Unable to Generate', ISSUANCE);
  const server = `${rig.bind.host}:${rig.bind.port}`;
  await expect(label).toHaveAccessibleDescription(
    new RegExp(`DNS server ${server.replace(/\./g, '\\.')} rejected the signature .*\\(BADSIG\\)`),
  );
  await expect(label).toHaveAccessibleDescription(/Retry Generate to try again\.$/);
  await expect(row.getByText(/^DNS server .* \(BADSIG\)/)).toBeVisible();

  // The records themselves are right, and the dialog says so.
  await statusAction(row, 'DNS Challenge Configuration');
  const dialog = page.getByRole('dialog', { name: 'DNS Challenge Configuration' });
  expect(await readRecords(dialog)).toEqual(records);
  for (const record of records)
    await expect(latestCheck(dialog, record.name)).toContainText('As expected');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await saveTsigSecretInSettings(page, rig.bind.tsig.secret);
  await statusAction(row, 'Retry Generate');
  await expect(label).toHaveText('Latest Certificate', ISSUANCE);
  await expect(row).toHaveAttribute('data-state', 'issued');

  await expectNoSecretsSent(host, [rig.bind.tsig.secret, wrongSecret]);
});
