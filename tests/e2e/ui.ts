/**
 * What specs do in the UI the way an administrator would, selecting by role and label: create
 * a template through its dialog, read the challenge records a dialog shows, find a template's
 * row, reveal a status label's actions, switch tabs, and issue a certificate end to end.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, type Rig } from './fixtures.ts';

/** One row of a challenge records table as the administrator reads it. */
export interface ShownRecord {
  name: string;
  type: string;
  value: string;
  ttl: number;
}

/**
 * The records of the challenge records table in `dialog`, in the order shown: the rows with a
 * Copy name button (each is followed by a row holding its latest check).
 */
export async function readRecords(dialog: Locator): Promise<ShownRecord[]> {
  const rows = dialog
    .getByRole('table')
    .getByRole('row')
    .filter({ has: dialog.page().getByRole('button', { name: /^Copy name / }) });
  const shown: ShownRecord[] = [];
  for (const row of await rows.all()) {
    const cells = row.getByRole('cell');
    shown.push({
      name: (await cells.nth(0).locator('code').textContent()) ?? '',
      type: (await cells.nth(1).textContent())?.trim() ?? '',
      value: (await cells.nth(2).locator('code').textContent()) ?? '',
      ttl: Number(await cells.nth(3).textContent()),
    });
  }
  return shown;
}

/** The latest check of challenge record `name` in a challenge records dialog. */
export function latestCheck(dialog: Locator, name: string): Locator {
  return dialog.getByRole('cell', { name: `Latest check of ${name}:` });
}

/** Opens Create Certificate Template. */
export async function openCreateDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add Certificate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create Certificate Template' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Types a common name and alternative names into the create dialog. */
export async function fillTemplate(
  dialog: Locator,
  commonName: string,
  altNames: string[],
): Promise<void> {
  await dialog.getByLabel('Common Name').fill(commonName);
  for (const [index, altName] of altNames.entries()) {
    if (index > 0) await dialog.getByRole('button', { name: 'Add alternative name' }).click();
    await dialog.getByRole('textbox', { name: `Alternative name ${index + 1}` }).fill(altName);
  }
}

/** Creates a template through the dialog; returns the records "Template Successfully Created" showed. */
export async function createTemplate(
  page: Page,
  commonName: string,
  altNames: string[] = [],
): Promise<ShownRecord[]> {
  const dialog = await openCreateDialog(page);
  await fillTemplate(dialog, commonName, altNames);
  await dialog.getByRole('button', { name: 'Create template' }).click();
  const created = page.getByRole('dialog', { name: 'Template Successfully Created' });
  await expect(created).toBeVisible();
  const records = await readRecords(created);
  await created.getByRole('button', { name: 'Close' }).click();
  await expect(created).toBeHidden();
  return records;
}

/** The list row whose Common Name cell is exactly `commonName`. */
export function templateRow(page: Page, commonName: string): Locator {
  return page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: commonName, exact: true }) });
}

/** The status label of a row: the button named after its status. */
export function statusLabel(row: Locator): Locator {
  return row.getByRole('button', {
    name: /^(Pending Verification|Latest Certificate|Unable to Generate)$/,
  });
}

/** Hovers the row's status label and clicks the action named `action` it reveals. */
export async function statusAction(row: Locator, action: string): Promise<void> {
  await statusLabel(row).hover();
  const button = row.getByRole('button', { name: action, exact: true });
  await expect(button).toBeVisible();
  await button.click();
}

/** Selects a tab of Certificate Management by its label. */
export async function openTab(page: Page, label: string): Promise<void> {
  const tab = page.getByRole('tab', { name: label, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/**
 * Issues a certificate the way an administrator does: Create Certificate Template in the UI,
 * the DNS team creates each CNAME in BIND with the values the dialog showed, then Check now on
 * the row, until the row shows Latest Certificate.
 */
export async function issueInUi(
  page: Page,
  rig: Rig,
  commonName: string,
  altNames: string[] = [],
): Promise<void> {
  const records = await createTemplate(page, commonName, altNames);
  for (const record of records)
    await rig.bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`);
  const row = templateRow(page, commonName);
  await statusAction(row, 'Check now');
  await expect(statusLabel(row)).toHaveText('Latest Certificate', { timeout: 90_000 });
}
