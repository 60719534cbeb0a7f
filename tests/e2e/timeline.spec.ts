/**
 * The Expiry timeline in Chromium through the test host: 40 seeded templates without a
 * certificate (Pending Verification, Unable to Generate) and two certificates issued by the
 * worker's real Pebble and BIND. Only the two issued ones get a bar; they are sorted most
 * urgent first, each with its renewal marker, today's line and its time left in words.
 */
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import type { TemplateView } from '../../shared/types.ts';
import { configureRig, expect, test, type Rig } from './fixtures.ts';
import { openTab, templateRow } from './ui.ts';

test.use({ hostOptions: { seedTemplates: 40 } });
test.describe.configure({ timeout: 240_000 });

const ISSUANCE = { timeout: 90_000 };

/** Creates a template through the contract, creates its CNAMEs and checks it at once. */
async function issue(page: Page, rig: Rig, commonName: string): Promise<void> {
  const created = await page.evaluate(
    (name) =>
      window.certdesk.createTemplate({ commonName: name, altNames: [], keyType: 'ecdsa-p256' }),
    commonName,
  );
  if (!created.ok) throw new Error(created.error.message);
  for (const record of created.value.challengeRecords)
    await rig.bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`);
  await page.evaluate((id) => window.certdesk.checkTemplateNow({ id }), created.value.id);
  await expect(templateRow(page, commonName)).toHaveAttribute('data-state', 'issued', ISSUANCE);
}

async function issuedTemplates(page: Page): Promise<TemplateView[]> {
  const result = await page.evaluate(() => window.certdesk.listTemplates());
  if (!result.ok) throw new Error(result.error.message);
  return result.value.filter((t) => t.latestCertificate);
}

/** Share of lifetime left at `now`, as the timeline orders by it. */
function remainingShare(template: TemplateView, now: number): number {
  const { notBefore, notAfter } = template.latestCertificate as {
    notBefore: string;
    notAfter: string;
  };
  const [start, end] = [Date.parse(notBefore), Date.parse(notAfter)];
  return (end - now) / (end - start);
}

async function centreX(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not rendered');
  return box.x + box.width / 2;
}

test('draws a bar per issued certificate, most urgent first, with its renewal, today and time left', async ({
  page,
  rig,
}) => {
  await configureRig(page, rig);
  const suffix = randomBytes(4).toString('hex');
  const names = [`first-${suffix}.example.test`, `second-${suffix}.example.test`];
  for (const name of names) await issue(page, rig, name);
  // Both have their renewal planned before the timeline is read.
  await expect
    .poll(async () => (await issuedTemplates(page)).filter((t) => t.renewalPlan).length)
    .toBe(2);

  await openTab(page, 'Expiry timeline');
  const timeline = page.getByRole('table', { name: 'Expiry timeline' });
  await expect(timeline).toHaveAttribute('aria-rowcount', '3');
  await expect(page.getByText('2 certificates, most urgent first')).toBeVisible();
  await expect(page.getByText('40 templates without a certificate yet (not shown)')).toBeVisible();

  // Least share of lifetime left on top: the same lifetime, so the one issued first.
  const now = Date.now();
  const expected = (await issuedTemplates(page))
    .sort((a, b) => remainingShare(a, now) - remainingShare(b, now))
    .map((t) => t.commonName);
  expect(expected).toEqual(names);
  const rows = timeline.locator('[role="row"][data-template-id]');
  await expect(rows).toHaveCount(2);
  await expect(rows.getByRole('button')).toHaveText(names);

  const today = timeline.getByRole('columnheader').locator('[data-marker="today"]');
  await expect(today).toHaveText(/^Today, \w{3} \d{1,2}, \d{4}$/);
  for (const row of await rows.all()) {
    const cells = row.getByRole('cell');
    await expect(cells.nth(1)).toHaveText(/^Valid from .+ to .+; renewal planned .+\.\s*$/);
    await expect(cells.nth(2)).toHaveText(/^\d+ days left$/);
    await expect(cells.nth(3)).toHaveText(/^\w{3} \d{1,2}, \d{4}$/);
    await expect(cells.nth(4)).toHaveText('Fine');
    await expect(row).toHaveAttribute('data-state', 'fine');

    // On the shared axis: the bar starts before today, today's line lies on the axis header's
    // Today label, and the renewal comes after today and before the bar ends.
    const bar = (await cells.nth(1).locator('.bar').boundingBox()) ?? { x: 0, width: 0 };
    const line = await centreX(row.locator('[data-marker="today"]'));
    const renewal = await centreX(row.locator('[data-marker="renewal"]'));
    expect(bar.x).toBeLessThanOrEqual(line);
    expect(Math.abs(line - (await centreX(today)))).toBeLessThan(2);
    expect(renewal).toBeGreaterThan(line);
    expect(renewal).toBeLessThan(bar.x + bar.width);
  }

  // A name opens its template's details, where the renewal plan is spelled out.
  await rows.getByRole('button', { name: names[0] }).click();
  const details = page.getByRole('dialog', { name: `Certificate details for ${names[0]}` });
  await expect(details).toContainText(
    /Renews on .+ — two thirds of the lifetime have passed: No ARI window/,
  );
});
