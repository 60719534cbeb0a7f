/**
 * The certificate template workflow in Chromium against the real core (test host): Settings
 * through the UI, Create Certificate Template with valid and invalid input, the challenge
 * records, the status label's actions, deletion with confirmation.
 */
import type { Locator } from '@playwright/test';
import { configureValidationZone, expect, test } from './fixtures.ts';
import { createTemplate, fillTemplate, openCreateDialog, readRecords, templateRow } from './ui.ts';

const ZONE = 'validation.example.test';

test('creates a template after Settings are saved and shows its challenge record', async ({
  page,
}) => {
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'RFC 2136 (TSIG)' }).check();
  await page.getByLabel('Validation zone').fill(ZONE);
  await page.getByLabel('DNS server').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('5353');
  await page.getByLabel('TSIG key name').fill('certdesk-e2e');
  await page.getByLabel('TSIG secret').fill('c2VjcmV0LWZvci1lMmUtdGVzdHMtb25seQ==');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  await page.getByRole('tab', { name: 'Certificate Templates' }).click();
  const records = await createTemplate(page, '*.shop.example.com', ['shop.example.com']);

  // The wildcard and its base share one challenge record.
  expect(records).toHaveLength(1);
  const [record] = records;
  expect(record?.name).toBe('_acme-challenge.shop.example.com');
  expect(record?.type).toBe('CNAME');
  expect(record?.value).toMatch(/^[a-z0-9-]+\.validation\.example\.test\.?$/);
  expect(record?.ttl).toBeGreaterThan(0);
  expect(record?.ttl).toBeLessThanOrEqual(86_400);
});

test('shows Pending Verification in the new row, with Unicode names', async ({ page }) => {
  await configureValidationZone(page, ZONE);
  const records = await createTemplate(page, 'bücher.example', ['www.bücher.example']);
  expect(records.map((r) => r.name)).toEqual([
    '_acme-challenge.xn--bcher-kva.example',
    '_acme-challenge.www.xn--bcher-kva.example',
  ]);

  const row = templateRow(page, 'bücher.example');
  await expect(row).toHaveAttribute('data-state', 'pending');
  await expect(row.getByRole('cell').nth(2)).toHaveText('www.bücher.example');
  const label = row.getByRole('button', { name: /^Pending Verification/ });
  await expect(label).toHaveAttribute('data-state', 'pending');
});

test('shows each rule at its field and creates nothing for invalid input', async ({ page }) => {
  await configureValidationZone(page, ZONE);
  const dialog = await openCreateDialog(page);
  const longName = `${'a'.repeat(60)}.example.com`;
  await fillTemplate(dialog, longName, ['192.0.2.1', 'a.*.example.com', 'ok.example.com']);
  await dialog.getByRole('button', { name: 'Create template' }).click();

  const expectations: [Locator, RegExp][] = [
    [dialog.getByLabel('Common Name'), /Common Name is 72 characters; X\.509 allows at most 64/],
    [
      dialog.getByRole('textbox', { name: 'Alternative name 1' }),
      /"192\.0\.2\.1" is an IP address/,
    ],
    [
      dialog.getByRole('textbox', { name: 'Alternative name 2' }),
      /may use \* only as the whole leftmost label/,
    ],
  ];
  for (const [field, message] of expectations) {
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription(message);
  }
  const valid = dialog.getByRole('textbox', { name: 'Alternative name 3' });
  await expect(valid).not.toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByLabel('Common Name')).toBeFocused();

  // The dialog stays open and main holds no template.
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('table', { name: 'Certificate templates' })).toHaveAttribute(
    'aria-rowcount',
    '1',
  );
  const listed = await page.evaluate(() => window.certdesk.listTemplates());
  expect(listed).toEqual({ ok: true, value: [] });
});

test('reveals DNS Challenge Configuration on hover and on keyboard focus, with the same record', async ({
  page,
}) => {
  await configureValidationZone(page, ZONE);
  const [created] = await createTemplate(page, 'api.example.org');
  const row = templateRow(page, 'api.example.org');
  const action = row.getByRole('button', { name: 'DNS Challenge Configuration' });
  await expect(action).toBeHidden();
  await expect(row.getByRole('button', { name: 'Retry Generate' })).toHaveCount(0);

  await row.getByRole('button', { name: /^Pending Verification/ }).hover();
  await expect(action).toBeVisible();
  await action.click();
  const dialog = page.getByRole('dialog', { name: 'DNS Challenge Configuration' });
  await expect(dialog).toBeVisible();
  expect(await readRecords(dialog)).toEqual([created]);
  await expect(dialog.getByRole('button', { name: `Copy name ${created?.name}` })).toBeVisible();
  await expect(dialog.getByRole('button', { name: `Copy value ${created?.value}` })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  // Closing the dialog hands focus back to the status label, which keeps its actions shown.
  const label = row.getByRole('button', { name: /^Pending Verification/ });
  await expect(label).toBeFocused();
  await expect(action).toBeVisible();

  await page.getByLabel('Filter by name').focus();
  await page.mouse.move(0, 0);
  await expect(action).toBeHidden();
  await label.focus();
  await expect(action).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(action).toBeFocused();
});

test('deletes a template only after confirmation', async ({ page }) => {
  await configureValidationZone(page, ZONE);
  await createTemplate(page, 'old.example.net');
  const row = templateRow(page, 'old.example.net');

  await row.getByRole('button', { name: 'Delete old.example.net' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete template?' });
  await expect(confirm).toContainText('keychain entries');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete old.example.net' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(row).toHaveCount(0);
  const listed = await page.evaluate(() => window.certdesk.listTemplates());
  expect(listed).toEqual({ ok: true, value: [] });
});

test.describe('with a failed template', () => {
  test.use({ hostOptions: { seedTemplates: 3 } });

  test('offers Retry Generate on Unable to Generate and puts it back to Pending Verification', async ({
    page,
  }) => {
    const row = page.getByRole('row').and(page.locator('[data-state="failed"]'));
    await expect(row).toHaveCount(1);
    const label = row.getByRole('button', { name: /^Unable to Generate/ });
    await expect(label).toHaveAccessibleDescription(/has no CNAME record yet/);

    await label.hover();
    await row.getByRole('button', { name: 'Retry Generate' }).click();
    await expect(page.getByText(/is back to Pending Verification\./)).toBeVisible();
    await expect(page.locator('[role="row"][data-state="failed"]')).toHaveCount(0);
    await expect(page.locator('[role="row"][data-state="pending"]')).toHaveCount(3);
  });
});
