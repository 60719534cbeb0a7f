/**
 * Playwright global setup: the environment every test host needs, made once per run before
 * the workers start. Workers inherit the runner's process.env, and the fixture spawns each
 * test host with the worker's environment, so what is set here reaches the host from its
 * first line, which matters because Node reads NODE_EXTRA_CA_CERTS and keytar reads the
 * D-Bus address only at start-up.
 *
 * - The rig's TLS CA (Pebble's HTTPS), unless CERTDESK_RIG_TLS_DIR names one already.
 * - A private, unlocked gnome-keyring on its own D-Bus session with a throwaway HOME, unless
 *   CERTDESK_TEST_KEYRING=1 says the caller (`npm test`) started one. DISPLAY and
 *   WAYLAND_DISPLAY are removed: with a display, a locked keyring prompts and hangs.
 *
 * Returns the teardown that stops what was started here.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startKeyring, type KeyringRig } from '../rig/keyring.ts';
import { prepareRigTls } from '../rig/tls.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  let keyring: KeyringRig | undefined;
  let ownTlsDir: string | undefined;
  if (!process.env.CERTDESK_RIG_TLS_DIR) {
    ownTlsDir = join(process.cwd(), '.tmp', `rig-tls-pw-${process.pid}`);
    Object.assign(process.env, await prepareRigTls(ownTlsDir));
  }
  if (process.env.CERTDESK_TEST_KEYRING !== '1') {
    keyring = await startKeyring();
    Object.assign(process.env, keyring.env);
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    process.env.CERTDESK_TEST_KEYRING = '1';
  }
  return async () => {
    await keyring?.stop();
    if (ownTlsDir) await rm(ownTlsDir, { recursive: true, force: true });
  };
}
