/**
 * One throwaway TLS CA per test run for the rig's HTTPS servers (Pebble). Node trusts extra
 * CAs only through NODE_EXTRA_CA_CERTS, read when a process starts, so the CA is made before
 * any test process starts and both variables are handed down to them. TLS verification is
 * never turned off.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeRigCa } from './pebble.ts';

export interface RigTlsEnv {
  CERTDESK_RIG_TLS_DIR: string;
  NODE_EXTRA_CA_CERTS: string;
}

/** Makes (or reuses) the CA in `dir` and returns the variables test processes need. */
export async function prepareRigTls(dir: string): Promise<RigTlsEnv> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, 'ca.pem')) || !existsSync(join(dir, 'ca.key'))) await makeRigCa(dir);
  return { CERTDESK_RIG_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
}
