/**
 * lego (Debian's 4.9.1) doing the same work as Certdesk on the same rig: RFC 2136 with TSIG
 * into the validation zone, following the administrator's CNAME itself.
 *
 * Flags and why:
 * - `--dns rfc2136` with RFC2136_NAMESERVER / _TSIG_KEY / _TSIG_SECRET, and
 *   RFC2136_TSIG_ALGORITHM `hmac-sha256.`: lego hands the name to miekg/dns, which wants the
 *   fully qualified form with the trailing dot; without it every update is refused.
 * - `--dns.resolvers 127.0.0.1:<port>`: lego's CNAME lookup and checks ask the rig's BIND,
 *   not the system resolver (which knows nothing of example.test).
 * - `--dns.disable-cp`: skips waiting for every authoritative server of the zone (found by NS
 *   lookups that would point at port 53); the rig has one server that answers at once.
 * - RFC2136_SEQUENCE_INTERVAL=1: the pause between sequential updates (60 s by default in
 *   some providers) is not what we measure.
 * - LEGO_CA_CERTIFICATES: trusts the rig's CA for Pebble's HTTPS; TLS checks stay on.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BindRig } from '../rig/bind.ts';
import type { PebbleRig } from '../rig/pebble.ts';
import { run } from '../rig/proc.ts';
import { since } from './stats.ts';

/** Where lego is expected; the benchmark reports its absence instead of installing it. */
export const LEGO_PATH = '/usr/bin/lego';

/**
 * lego's version, or null when it is not installed. Debian's build calls itself `dev`, so the
 * package version is added when dpkg knows it.
 */
export async function legoVersion(): Promise<string | null> {
  if (!existsSync(LEGO_PATH)) return null;
  const r = await run(LEGO_PATH, ['--version']).catch(() => null);
  if (r?.code !== 0) return null;
  const pkg = await run('dpkg-query', ['-W', '-f=${Version}', 'lego']).catch(() => null);
  const debian =
    pkg?.code === 0 && pkg.stdout.trim() ? ` (Debian package ${pkg.stdout.trim()})` : '';
  return `${r.stdout.trim()}${debian}`;
}

/** Plays the DNS team for lego: `_acme-challenge.<name>` CNAME to a fresh validation label. */
export async function delegateForLego(bind: BindRig, name: string): Promise<void> {
  const target = `${randomUUID()}.${bind.zones.validation}.`;
  await bind.addCustomerRecord(`_acme-challenge.${name}`, 'CNAME', target);
}

function legoEnv(bind: BindRig, pebble: PebbleRig): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RFC2136_NAMESERVER: `${bind.host}:${bind.port}`,
    RFC2136_TSIG_KEY: bind.tsig.name,
    RFC2136_TSIG_SECRET: bind.tsig.secret,
    RFC2136_TSIG_ALGORITHM: 'hmac-sha256.',
    RFC2136_SEQUENCE_INTERVAL: '1',
    LEGO_CA_CERTIFICATES: pebble.caCertPath,
  };
}

/**
 * Runs `lego ... run` for one name with its data in `path` (a fresh path registers a new
 * account, as Certdesk's fresh data folder does) and resolves with the wall time of the whole
 * process in ms. Rejects with lego's last output lines when it fails or leaves no certificate.
 */
export async function runLego(
  rig: { bind: BindRig; pebble: PebbleRig },
  path: string,
  domain: string,
): Promise<number> {
  const { bind, pebble } = rig;
  const args = ['--server', pebble.directoryUrl, '--email', 'x@example.test', '--accept-tos'];
  args.push('--dns', 'rfc2136', '--dns.resolvers', `${bind.host}:${bind.port}`);
  args.push('--dns.disable-cp', '--path', path, '--domains', domain, 'run');
  const start = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn(LEGO_PATH, args, { env: legoEnv(bind, pebble) });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('error', reject);
      child.once('close', (c) => resolve({ code: c, output }));
    },
  );
  const ms = since(start);
  const crt = join(path, 'certificates', `${domain}.crt`);
  if (code !== 0 || !existsSync(crt)) {
    const tail = output.trim().split('\n').slice(-6).join('\n');
    throw new Error(`lego failed for ${domain} (exit ${code}):\n${tail}`);
  }
  return ms;
}
