/**
 * The README's picture of the main window: 30 seeded templates (Pending Verification and
 * Unable to Generate) plus two issued through the real rig, so all three statuses show,
 * saved to tests/e2e/screenshots/main-window.png at 1280×800.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { configureRig, expect, test, type Rig } from './fixtures.ts';
import { templateRow } from './ui.ts';

const SHOT = join(process.cwd(), 'tests', 'e2e', 'screenshots', 'main-window.png');
const WIDTH = 1280;
const HEIGHT = 800;

test.use({ hostOptions: { seedTemplates: 30 }, viewport: { width: WIDTH, height: HEIGHT } });

/** Creates a template through the contract, creates its CNAMEs and checks it at once. */
async function issue(page: Page, rig: Rig, commonName: string, altNames: string[]) {
  const created = await page.evaluate(
    (input) => window.certdesk.createTemplate({ ...input, keyType: 'ecdsa-p256' }),
    { commonName, altNames },
  );
  if (!created.ok) throw new Error(created.error.message);
  for (const record of created.value.challengeRecords)
    await rig.bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`);
  await page.evaluate((id) => window.certdesk.checkTemplateNow({ id }), created.value.id);
  await expect(templateRow(page, commonName)).toHaveAttribute('data-state', 'issued', {
    timeout: 90_000,
  });
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('saves a 1280×800 screenshot of the main window for the README', async ({ page, rig }) => {
  test.setTimeout(180_000);
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '31');
  await configureRig(page, rig);
  await issue(page, rig, 'shop.example.test', ['*.shop.example.test']);
  await issue(page, rig, 'api.example.test', []);
  await expect(page.getByText('32 of 32 shown')).toBeVisible();
  // The seeded pending templates have had their first check: each shows its next one.
  await expect(
    table.getByRole('button', { name: 'Pending Verification' }).first(),
  ).toHaveAccessibleDescription(/^Waiting for CNAME · next check in/);

  await page.mouse.move(0, 0);
  await mkdir(join(SHOT, '..'), { recursive: true });
  await page.screenshot({ path: SHOT });

  expect(pngSize(await readFile(SHOT))).toEqual({ width: WIDTH, height: HEIGHT });
});
