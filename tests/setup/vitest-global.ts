/**
 * Vitest global setup: gives every test worker a private, unlocked gnome-keyring on its own
 * D-Bus session (keytar reads the bus address when it loads, so it must be in the workers'
 * environment from the start). `npm test` starts one for the whole run and sets
 * CERTDESK_TEST_KEYRING; a bare `npx vitest` gets its own here. The same goes for the rig's
 * TLS CA, which workers must trust from their first line (NODE_EXTRA_CA_CERTS).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startKeyring, type KeyringRig } from '../rig/keyring.ts';
import { prepareRigTls } from '../rig/tls.ts';

let keyring: KeyringRig | undefined;
let ownTlsDir: string | undefined;

export async function setup(): Promise<void> {
  if (!process.env.CERTDESK_RIG_TLS_DIR) {
    ownTlsDir = join(process.cwd(), '.tmp', `rig-tls-${process.pid}`);
    Object.assign(process.env, await prepareRigTls(ownTlsDir));
  }
  if (process.env.CERTDESK_TEST_KEYRING === '1') return;
  keyring = await startKeyring();
  for (const [name, value] of Object.entries(keyring.env)) process.env[name] = value;
  delete process.env.DISPLAY;
  delete process.env.WAYLAND_DISPLAY;
  process.env.CERTDESK_TEST_KEYRING = '1';
}

export async function teardown(): Promise<void> {
  await keyring?.stop();
  if (ownTlsDir) await rm(ownTlsDir, { recursive: true, force: true });
}
