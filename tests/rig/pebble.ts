import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, RIG_HOST } from './ports.ts';
import { killOnExit, runOk, stopChild, tailFile, waitFor } from './proc.ts';

/** Options for startPebble(). */
export interface PebbleOptions {
  /** `host:port` of the DNS server Pebble's VA asks (the rig's BIND). */
  dnsServer: string;
  /** Extra environment for Pebble, e.g. `{ PEBBLE_WFE_NONCEREJECT: '20' }`; wins over defaults. */
  env?: Record<string, string>;
  /** certificateValidityPeriod in seconds (Pebble's default is five years). */
  validitySeconds?: number;
  /**
   * domainBlocklist: names Pebble refuses with rejectedIdentifier. Pebble 2.4.0 crashes the
   * request (clients then see badNonce) when an ordered name has fewer labels than a blocklist
   * entry, so order only names with at least as many labels as the entries.
   */
  blocklist?: string[];
}

/** A running Pebble and how to reach it over verified TLS. */
export interface PebbleRig {
  /** ACME directory, `https://127.0.0.1:<port>/dir`. */
  directoryUrl: string;
  /** Management interface base URL (roots, intermediates, cert status), also HTTPS. */
  managementUrl: string;
  /** PEM path of the throwaway CA that signed Pebble's HTTPS certificate (NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  /** The same CA as PEM text, for an `https.Agent({ ca })`. */
  caPem: string;
  /** Temp dir with config, certificates and pebble.log. */
  dir: string;
  /** Pebble's stdout and stderr. */
  logPath: string;
  /** PEM of Pebble's issuing root for this run (new at every start). */
  fetchRoot(): Promise<string>;
  /** PEM of Pebble's intermediate for this run. */
  fetchIntermediate(): Promise<string>;
  /** Stops Pebble and deletes the temp dir (kept when RIG_KEEP=1). */
  stop(): Promise<void>;
}

/**
 * GETs an HTTPS URL trusting only `ca`; resolves the body of a 2xx answer, rejects otherwise.
 * TLS verification stays on.
 */
export function httpsGet(url: string, ca: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        if (ok) resolve(body);
        else reject(new Error(`GET ${url} answered HTTP ${res.statusCode}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The CA that signs Pebble's HTTPS certificate. When CERTDESK_RIG_TLS_DIR names a folder with
 * ca.pem and ca.key (made once per test run by tests/setup, and trusted by the test processes
 * through NODE_EXTRA_CA_CERTS, which Node reads only at start-up), that CA is reused;
 * otherwise a new one is made for this Pebble alone.
 */
async function makeTlsFiles(dir: string): Promise<void> {
  const shared = process.env.CERTDESK_RIG_TLS_DIR;
  if (shared && existsSync(join(shared, 'ca.pem')) && existsSync(join(shared, 'ca.key'))) {
    await copyFile(join(shared, 'ca.pem'), join(dir, 'ca.pem'));
    await copyFile(join(shared, 'ca.key'), join(dir, 'ca.key'));
  } else {
    await makeRigCa(dir);
  }
  await makeLeaf(dir);
}

/** Makes a throwaway CA (ca.pem, ca.key) in `dir` with openssl. */
export async function makeRigCa(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE'];
  ca.push('-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await runOk(
    'openssl',
    ['req', '-x509', ...ec, ...ca, '-days', '7', '-subj', '/CN=certdesk rig CA'].concat([
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
    ]),
  );
}

/** Makes a leaf for 127.0.0.1/localhost signed by the CA in `dir`. */
async function makeLeaf(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await runOk(
    'openssl',
    ['req', ...ec, '-subj', '/CN=localhost', '-keyout', join(dir, 'leaf.key')].concat([
      '-out',
      join(dir, 'leaf.csr'),
    ]),
  );
  const ext = [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ].join('\n');
  await writeFile(join(dir, 'leaf.ext'), ext + '\n');
  await runOk(
    'openssl',
    ['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', join(dir, 'ca.pem')]
      .concat(['-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '7'])
      .concat(['-extfile', join(dir, 'leaf.ext'), '-out', join(dir, 'leaf.pem')]),
  );
}

async function writeConfig(dir: string, ports: number[], o: PebbleOptions): Promise<void> {
  const [listen, mgmt, http, tls] = ports as [number, number, number, number];
  const pebble: Record<string, unknown> = {
    listenAddress: `${RIG_HOST}:${listen}`,
    managementListenAddress: `${RIG_HOST}:${mgmt}`,
    certificate: join(dir, 'leaf.pem'),
    privateKey: join(dir, 'leaf.key'),
    httpPort: http,
    tlsPort: tls,
    ocspResponderURL: '',
    externalAccountBindingRequired: false,
    domainBlocklist: o.blocklist ?? [],
  };
  if (o.validitySeconds !== undefined) pebble.certificateValidityPeriod = o.validitySeconds;
  await writeFile(join(dir, 'pebble.json'), JSON.stringify({ pebble }, null, 2));
}

function spawnPebble(dir: string, logPath: string, o: PebbleOptions): ChildProcess {
  const args = ['-strict', '-config', join(dir, 'pebble.json'), '-dnsserver', o.dnsServer];
  const env = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', ...o.env };
  const child = spawn('pebble', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  const log = createWriteStream(logPath);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

async function waitReady(child: ChildProcess, logPath: string, dirUrl: string, ca: string) {
  await waitFor('Pebble directory over HTTPS', async () => {
    if (child.exitCode !== null) {
      const log = await tailFile(logPath, 50);
      throw new Error(/address already in use/.test(log) ? 'EADDRINUSE' : 'pebble exited');
    }
    return JSON.parse(await httpsGet(dirUrl, ca, 2000)) as unknown;
  });
}

/**
 * Starts Pebble 2.4.0 in strict mode on 127.0.0.1 with its own throwaway TLS CA, asking
 * `dnsServer` for DNS-01 TXT records. Defaults: PEBBLE_VA_NOSLEEP=1 and
 * PEBBLE_WFE_NONCEREJECT=0 (tests that want nonce churn pass '20'). Resolves when the
 * directory answers over TLS verified against that CA; retries new ports on EADDRINUSE.
 */
export async function startPebble(opts: PebbleOptions): Promise<PebbleRig> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-pebble-'));
  const logPath = join(dir, 'pebble.log');
  await makeTlsFiles(dir);
  const caCertPath = join(dir, 'ca.pem');
  const caPem = await readFile(caCertPath, 'utf8');
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const ports = await freePorts(4);
    await writeConfig(dir, ports, opts);
    const child = spawnPebble(dir, logPath, opts);
    const directoryUrl = `https://${RIG_HOST}:${ports[0]}/dir`;
    try {
      await waitReady(child, logPath, directoryUrl, caPem);
      const managementUrl = `https://${RIG_HOST}:${ports[1]}`;
      return makeRig({ dir, logPath, caCertPath, caPem, directoryUrl, managementUrl }, child);
    } catch (e) {
      lastError = e;
      await stopChild(child);
      if (!(e instanceof Error && e.message.includes('EADDRINUSE'))) break;
    }
  }
  const tail = await tailFile(logPath);
  await rm(dir, { recursive: true, force: true });
  throw new Error(`pebble did not start: ${String(lastError)}\n--- pebble log tail ---\n${tail}`, {
    cause: lastError,
  });
}

type RigFields = Pick<
  PebbleRig,
  'dir' | 'logPath' | 'caCertPath' | 'caPem' | 'directoryUrl' | 'managementUrl'
>;

function makeRig(f: RigFields, child: ChildProcess): PebbleRig {
  return {
    ...f,
    fetchRoot: () => httpsGet(`${f.managementUrl}/roots/0`, f.caPem),
    fetchIntermediate: () => httpsGet(`${f.managementUrl}/intermediates/0`, f.caPem),
    stop: async () => {
      await stopChild(child);
      if (process.env.RIG_KEEP !== '1') await rm(f.dir, { recursive: true, force: true });
    },
  };
}
