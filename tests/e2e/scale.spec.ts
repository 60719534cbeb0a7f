/**
 * The template list with 10,000 templates in the store: it loads (the newest page first, then
 * the rest), renders only the rows in view, scrolls to the end, and filters, all against the
 * real core.
 */
import { expect, test } from './fixtures.ts';

test.use({ hostOptions: { seedTemplates: 10_000 } });

test('loads 10,000 templates, renders only the visible rows and scrolls to the last', async ({
  page,
}) => {
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '10001');
  await expect(page.getByText('10000 of 10000 shown')).toBeVisible();

  const rendered = await table.getByRole('row').count();
  expect(rendered).toBeGreaterThan(2);
  expect(rendered, 'the list renders only the rows in view').toBeLessThan(80);

  const viewport = table.getByRole('rowgroup').nth(1);
  await viewport.evaluate((element) => element.scrollTo(0, element.scrollHeight / 2));
  await expect(table.locator('[aria-rowindex="5001"]')).toBeVisible();
  await viewport.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  const last = table.locator('[aria-rowindex="10001"]');
  await expect(last).toBeVisible();
  await expect(
    last.getByRole('button', { name: /^(Pending Verification|Unable to Generate)/ }),
  ).toBeVisible();
  expect(await table.getByRole('row').count()).toBeLessThan(80);
});

test('filters 10,000 templates by name and by status', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '10001');

  await page.getByLabel('Filter by name').fill('host9876.');
  await expect(table).toHaveAttribute('aria-rowcount', '2');
  await expect(table.getByRole('row').nth(1)).toContainText('host9876.');

  await page.getByLabel('Filter by name').fill('');
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Unable to Generate' });
  await expect(table).not.toHaveAttribute('aria-rowcount', '10001');
  const rows = table.locator('[role="row"][data-state]');
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-state', 'failed');
});

test('merges every page in newest-first order, each template once', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '10001');
  await expect(page.getByText('loading older templates')).toHaveCount(0);
  // The seed makes host<i> i minutes older than host0, so row i + 2 must show host<i>: the
  // first page (100), a page boundary (2,100) and the very last row.
  const viewport = table.getByRole('rowgroup').nth(1);
  for (const i of [0, 99, 100, 2_099, 2_100, 9_999]) {
    await viewport.evaluate((element, top) => element.scrollTo(0, top), i * 52);
    const row = table.locator(`[aria-rowindex="${i + 2}"]`);
    await expect(row).toContainText(`host${i}.customer${i % 97}.example`);
  }
  const ids = await page.evaluate(async () => {
    const result = await window.certdesk.listTemplates();
    return result.ok ? result.value.map((t) => t.id) : [];
  });
  expect(new Set(ids).size).toBe(10_000);
});

test('opens the template a tray item names, from any tab, even one listed last', async ({
  page,
  host,
}) => {
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '10001');
  const oldest = await page.evaluate(async () => {
    const all = await window.certdesk.listTemplates();
    return all.ok
      ? (all.value.find((t) => t.commonName.startsWith('host9999.'))?.id ?? null)
      : null;
  });
  expect(oldest).not.toBeNull();
  await page.getByRole('tab', { name: 'Sites' }).click();
  host.openTemplate(oldest as string);
  await expect(page.getByRole('tab', { name: 'Certificate Templates' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(
    page.getByRole('dialog', { name: 'Certificate details for host9999.customer8.example' }),
  ).toBeVisible();
});
