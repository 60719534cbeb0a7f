/**
 * Settings in Chromium against the real core: per-field messages from the shared checks,
 * nothing saved while any field is wrong, and write-only secrets that an empty field keeps.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeEnabled();
}

async function storedSettings(page: Page) {
  const result = await page.evaluate(() => window.certdesk.getSettings());
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

test('shows each Settings problem at its field and saves nothing', async ({ page }) => {
  await openSettings(page);
  await page
    .getByLabel('ACME CA', { exact: true })
    .selectOption({ label: 'Custom ACME directory' });
  await page.getByLabel('ACME directory URL').fill('http://acme.example.net/directory');
  await page.getByRole('radio', { name: 'Custom' }).check();
  await page.getByLabel('Resolver host').fill('127.0.0.1');
  await page.getByLabel('Resolver port').fill('70000');
  await page.getByRole('button', { name: 'Save settings' }).click();

  const directory = page.getByLabel('ACME directory URL');
  await expect(directory).toHaveAttribute('aria-invalid', 'true');
  await expect(directory).toHaveAccessibleDescription(/must be an https:\/\/ address/);
  await expect(directory).toBeFocused();
  const port = page.getByLabel('Resolver port');
  await expect(port).toHaveAttribute('aria-invalid', 'true');
  await expect(port).toHaveAccessibleDescription(/number from 1 to 65535/);
  await expect(page.getByLabel('Resolver host')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Settings saved.')).toHaveCount(0);

  const stored = await storedSettings(page);
  expect(stored.ca.preset).toBe('letsencrypt');
  expect(stored.resolver).toEqual({ kind: 'system' });
});

test('asks for External Account Binding where the CA requires it', async ({ page }) => {
  await openSettings(page);
  await page.getByLabel('ACME CA', { exact: true }).selectOption({ label: 'ZeroSSL' });
  await expect(page.getByLabel('EAB HMAC key')).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByLabel('EAB Key ID')).toHaveAccessibleDescription(
    /ZeroSSL requires External Account Binding/,
  );

  await page.getByLabel('EAB Key ID').fill('kid-123');
  await page.getByLabel('EAB HMAC key').fill('c2VjcmV0LWVhYi1rZXk');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await expect(page.getByLabel('EAB HMAC key')).toHaveValue('');
  await expect(page.getByLabel('EAB HMAC key')).toHaveAccessibleDescription(
    /stored in the OS keychain/,
  );
  const stored = await storedSettings(page);
  expect(stored.ca).toMatchObject({
    preset: 'zerossl',
    eabKeyId: 'kid-123',
    eabHmacKeyStored: true,
  });
});

test('keeps the stored TSIG secret when its field is left empty', async ({ page }) => {
  await openSettings(page);
  await page.getByRole('radio', { name: 'RFC 2136 (TSIG)' }).check();
  await page.getByLabel('Validation zone').fill('acme.example.test');
  await page.getByLabel('DNS server').fill('ns1.example.test');
  await page.getByLabel('TSIG key name').fill('certdesk-key');
  await page.getByLabel('Algorithm').selectOption('hmac-sha512');
  await page.getByLabel('TSIG secret').fill('c2VjcmV0LWZvci1lMmUtdGVzdHMtb25seQ==');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  await page.reload();
  await openSettings(page);
  const secret = page.getByLabel('TSIG secret');
  await expect(secret).toHaveValue('');
  await expect(secret).toHaveAccessibleDescription(
    /stored in the OS keychain; leave this empty to keep it/,
  );
  await expect(page.getByLabel('Validation zone')).toHaveValue('acme.example.test');
  await page.getByLabel('Port', { exact: true }).fill('5300');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  const stored = await storedSettings(page);
  expect(stored.dns).toMatchObject({
    kind: 'rfc2136',
    port: 5300,
    algorithm: 'hmac-sha512',
    secretStored: true,
  });
});
