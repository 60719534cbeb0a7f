import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bare,
  keyFileText,
  namedConf,
  parseKeygen,
  presentValue,
  rootZoneFile,
  zoneFile,
  type RigRecord,
  type RigTsigKey,
} from './bind-conf.ts';
import { freePort, RIG_HOST } from './ports.ts';
import { killOnExit, run, runOk, stopChild, tailFile, waitFor } from './proc.ts';

export type { RigRecord, RigTsigKey } from './bind-conf.ts';

/** Options for startBind(); every field has a default. */
export interface BindOptions {
  /** Customer zone holding the `_acme-challenge` CNAMEs (default `example.test`). */
  customerZone?: string;
  /** Validation zone the TSIG keys may write TXT into (default `validation.test`). */
  validationZone?: string;
  /** Records to serve from the start; each lands in the zone its owner belongs to. */
  records?: RigRecord[];
}

/** A running named and the ways tests talk to it. */
export interface BindRig {
  /** Always 127.0.0.1. */
  host: string;
  /** UDP and TCP port named listens on. */
  port: number;
  /** hmac-sha256 key allowed to update TXT in the validation zone, and nothing else. */
  tsig: RigTsigKey;
  /** hmac-sha512 key with the same rights as `tsig`. */
  tsig512: RigTsigKey;
  /** Zone names without trailing dot. */
  zones: { customer: string; validation: string };
  /** Temp dir holding named.conf, zones and named.log. */
  dir: string;
  /** named's stderr (it runs with -g). */
  logPath: string;
  /** Adds a record to the customer zone through nsupdate with the rig's private admin key. */
  addCustomerRecord(name: string, type: string, value: string, ttl?: number): Promise<void>;
  /** Removes one record (or, with no value, the whole RRset) from the customer zone. */
  removeCustomerRecord(name: string, type: string, value?: string): Promise<void>;
  /** Adds a record to the validation zone with the admin key (e.g. an unrelated 'keep-me'). */
  addValidationRecord(name: string, type: string, value: string, ttl?: number): Promise<void>;
  /** Removes a record (or RRset) from the validation zone with the admin key. */
  removeValidationRecord(name: string, type: string, value?: string): Promise<void>;
  /** `dig +short` lines for name/type; `norecurse` sends RD=0. */
  dig(name: string, type: string, opts?: { norecurse?: boolean }): Promise<string[]>;
  /** TXT values at name, each RR's character-strings joined, sorted. */
  digTxt(name: string, opts?: { norecurse?: boolean }): Promise<string[]>;
  /** Stops named and deletes the temp dir (kept when RIG_KEEP=1). */
  stop(): Promise<void>;
}

async function makeKey(name: string, algorithm: string): Promise<RigTsigKey> {
  return parseKeygen(await runOk('tsig-keygen', ['-a', algorithm, name]));
}

/** Splits a line of TXT presentation form into its character-strings, unescaped. */
export function parseTxtLine(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const raw = m[1] ?? '';
    out.push(
      raw.replace(/\\(\d{3}|.)/g, (_, e: string) =>
        e.length === 3 ? String.fromCharCode(Number(e)) : e,
      ),
    );
  }
  return out;
}

// named cannot run under faketime here: libfaketime recurses inside named's jemalloc at load.
function spawnNamed(dir: string, logPath: string): ChildProcess {
  const args = ['-g', '-n', '2', '-c', join(dir, 'named.conf')];
  const child = spawn('named', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  killOnExit(child);
  child.stderr?.pipe(createWriteStream(logPath));
  return child;
}

async function digShort(port: number, name: string, type: string, norec = false) {
  const args = [`@${RIG_HOST}`, '-p', String(port), '+short', '+time=2', '+tries=2'];
  const r = await runOk('dig', [...args, ...(norec ? ['+norecurse'] : []), name, type]);
  return r.split('\n').filter((l) => l.length > 0 && !l.startsWith(';'));
}

/** Waits for SOA answers for all zones; fails fast when named died or lost the port. */
async function waitReady(child: ChildProcess, logPath: string, port: number, zones: string[]) {
  await waitFor('named to answer SOA', async () => {
    if (child.exitCode !== null) throw new Error('named exited');
    const log = await tailFile(logPath, 200);
    if (/address in use/i.test(log)) throw new Error('EADDRINUSE');
    for (const z of zones) if ((await digShort(port, z, 'SOA', true)).length === 0) return;
    return true;
  });
}

async function writeLayout(dir: string, port: number, o: BindOptions, keys: RigTsigKey[]) {
  const [tsig, tsig512, admin] = keys as [RigTsigKey, RigTsigKey, RigTsigKey];
  const customer = bare(o.customerZone ?? 'example.test');
  const validation = bare(o.validationZone ?? 'validation.test');
  const records = o.records ?? [];
  const layout = { dir, port, customerZone: customer, validationZone: validation };
  const conf = namedConf({ ...layout, validationKeys: [tsig, tsig512], adminKey: admin, records });
  await writeFile(join(dir, 'named.conf'), conf, { mode: 0o600 });
  await writeFile(join(dir, 'root.db'), rootZoneFile());
  await writeFile(join(dir, 'customer.db'), zoneFile(customer, records));
  await writeFile(join(dir, 'validation.db'), zoneFile(validation, records));
  await writeFile(join(dir, 'admin.key'), keyFileText(admin), { mode: 0o600 });
}

/**
 * Starts one named on 127.0.0.1 (see namedConf for what it serves) and resolves once it
 * answers SOA for every zone. Retries on a new port when the chosen one was taken. On
 * failure the error includes the tail of named's log.
 */
export async function startBind(opts: BindOptions = {}): Promise<BindRig> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-bind-'));
  const keys = await Promise.all([
    makeKey('certdesk-validation', 'hmac-sha256'),
    makeKey('certdesk-validation-512', 'hmac-sha512'),
    makeKey('rig-admin', 'hmac-sha256'),
  ]);
  const logPath = join(dir, 'named.log');
  const zones = ['.', bare(opts.customerZone ?? 'example.test')];
  zones.push(bare(opts.validationZone ?? 'validation.test'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort({ udp: true });
    await writeLayout(dir, port, opts, keys);
    const child = spawnNamed(dir, logPath);
    try {
      await waitReady(child, logPath, port, zones);
      return makeRig(dir, logPath, port, keys, zones, child);
    } catch (e) {
      lastError = e;
      await stopChild(child);
      if (!(e instanceof Error && e.message.includes('EADDRINUSE'))) break;
    }
  }
  const tail = await tailFile(logPath);
  await rm(dir, { recursive: true, force: true });
  throw new Error(`named did not start: ${String(lastError)}\n--- named log tail ---\n${tail}`, {
    cause: lastError,
  });
}

function makeRig(
  dir: string,
  logPath: string,
  port: number,
  keys: RigTsigKey[],
  zones: string[],
  child: ChildProcess,
): BindRig {
  const [tsig, tsig512] = keys as [RigTsigKey, RigTsigKey];
  const [, customer, validation] = zones as [string, string, string];
  const update = (zone: string, line: string) => nsupdate(dir, port, zone, line);
  const fq = (n: string) => (n.endsWith('.') ? n : `${n}.`);
  const add =
    (zone: string) =>
    (name: string, type: string, value: string, ttl = 60) =>
      update(zone, `update add ${fq(name)} ${ttl} IN ${type} ${presentValue(type, value)}`);
  const del = (zone: string) => (name: string, type: string, value?: string) =>
    update(zone, `update delete ${fq(name)} IN ${type} ${value ? presentValue(type, value) : ''}`);
  return {
    host: RIG_HOST,
    port,
    tsig,
    tsig512,
    zones: { customer, validation },
    dir,
    logPath,
    addCustomerRecord: add(customer),
    removeCustomerRecord: del(customer),
    addValidationRecord: add(validation),
    removeValidationRecord: del(validation),
    dig: (name, type, o) => digShort(port, name, type, o?.norecurse),
    digTxt: async (name, o) => {
      const lines = await digShort(port, name, 'TXT', o?.norecurse);
      const txt = lines.filter((l) => l.startsWith('"'));
      return txt.map((l) => parseTxtLine(l).join('')).sort();
    },
    stop: async () => {
      await stopChild(child);
      if (process.env.RIG_KEEP !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
}

async function nsupdate(dir: string, port: number, zone: string, line: string): Promise<void> {
  const script = `server ${RIG_HOST} ${port}\nzone ${zone}\n${line}\nsend\n`;
  const r = await run('nsupdate', ['-v', '-t', '5', '-k', join(dir, 'admin.key')], {
    input: script,
  });
  if (r.code !== 0) throw new Error(`nsupdate failed for zone ${zone}: ${r.stderr.trim()}`);
}
