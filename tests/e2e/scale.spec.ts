/**
 * The template list with 10,000 templates in the store: it loads, renders only the rows in
 * view, scrolls to the end, and filters, all against the real core.
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
