/**
 * CSV export of challenge records from the UI: the test host saves into host.exportDir where
 * the app would show the native save dialog; the file is read back and checked cell by cell.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { configureValidationZone, expect, test } from './fixtures.ts';

const HEADER = ['Template', 'Common Name', 'Type', 'Name', 'Value', 'TTL', 'Status'];

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    const next = text[i + 1];
    if (quoted && char === '"' && next === '"') {
      field += '"';
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && char === '\r' && next === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i += 1;
    } else {
      field += char;
    }
  }
  expect(quoted, 'an unterminated quoted field').toBe(false);
  expect(`${row.join(',')}${field}`, 'text after the last CRLF').toBe('');
  return rows;
}

async function createThroughContract(page: Page, commonName: string, altNames: string[] = []) {
  const result = await page.evaluate(
    (input) => window.certdesk.createTemplate({ ...input, keyType: 'ecdsa-p256' }),
    { commonName, altNames },
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Clicks an export button and returns the saved file's text, after checking where it went. */
async function exportFrom(page: Page, exportDir: string, rows: number): Promise<string> {
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const message = page.getByText(/^Saved \d+ records? to /);
  await expect(message).toHaveText(new RegExp(`^Saved ${rows} records? to `));
  const path = ((await message.textContent()) ?? '').replace(/^Saved \d+ records? to /, '').trim();
  expect(path.startsWith(exportDir)).toBe(true);
  return readFile(path, 'utf8');
}

test('Export CSV writes every challenge record of the selected template', async ({
  page,
  host,
}) => {
  await configureValidationZone(page);
  const shop = await createThroughContract(page, '*.shop.example.com', [
    'shop.example.com',
    'cdn.example.net',
  ]);
  await createThroughContract(page, 'other.example.org');
  // Templates created through the contract reach the list through main's events.
  const table = page.getByRole('table', { name: 'Certificate templates' });
  await expect(table).toHaveAttribute('aria-rowcount', '3');

  await page.getByRole('checkbox', { name: 'Select *.shop.example.com' }).check();
  await expect(page.getByText('Challenge records of 1 selected')).toBeVisible();
  const text = await exportFrom(page, host.exportDir, 2);

  expect(text.startsWith('\uFEFF'), 'spreadsheet-safe files start with a BOM').toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  expect(header).toEqual(HEADER);
  expect(rows).toEqual(
    shop.challengeRecords.map((record) => [
      shop.id,
      '*.shop.example.com',
      'CNAME',
      record.name,
      record.value,
      String(record.ttl),
      'Pending Verification',
    ]),
  );
  expect(rows.map((row) => row[3])).toEqual([
    '_acme-challenge.shop.example.com',
    '_acme-challenge.cdn.example.net',
  ]);
});

test('Export CSV without a selection covers all templates, raw for DNS import when chosen', async ({
  page,
  host,
}) => {
  await configureValidationZone(page);
  const first = await createThroughContract(page, 'a.example.com');
  const second = await createThroughContract(page, 'b.example.com');
  await expect(page.getByRole('table', { name: 'Certificate templates' })).toHaveAttribute(
    'aria-rowcount',
    '3',
  );

  await page.getByLabel('CSV format').selectOption({ label: 'Raw for DNS import' });
  const text = await exportFrom(page, host.exportDir, 2);

  expect(text.startsWith('\uFEFF'), 'raw files have no BOM').toBe(false);
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual(HEADER);
  expect(rows.map((row) => row[0]).sort()).toEqual([first.id, second.id].sort());
});

test('the records dialog exports that template only', async ({ page, host }) => {
  await configureValidationZone(page);
  await createThroughContract(page, 'x.example.com');
  const target = await createThroughContract(page, 'y.example.com');
  const row = page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'y.example.com', exact: true }) });
  await row.getByRole('button', { name: /^Pending Verification/ }).hover();
  await row.getByRole('button', { name: 'DNS Challenge Configuration' }).click();

  const dialog = page.getByRole('dialog', { name: 'DNS Challenge Configuration' });
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  const message = dialog.getByText(/^Saved 1 record to /);
  await expect(message).toBeVisible();
  const path = ((await message.textContent()) ?? '').replace(/^Saved 1 record to /, '').trim();
  expect(path.startsWith(host.exportDir)).toBe(true);
  const [, ...rows] = parseCsv((await readFile(path, 'utf8')).slice(1));
  expect(rows.map((r) => r[0])).toEqual([target.id]);
});
