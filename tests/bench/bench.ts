/**
 * `npm run bench` (npx tsx tests/bench/bench.ts): Certdesk's performance figures, side by side
 * with lego where lego does the same work, on a rig this run starts for itself on 127.0.0.1:
 * BIND (customer zone, validation zone, local root), Pebble (PEBBLE_VA_NOSLEEP=1, no nonce
 * rejection) and a private gnome-keyring. Prints one table with issue 5's targets marked met
 * or missed and writes the same as JSON to tests/bench/results/latest.json.
 *
 *   npx tsx tests/bench/bench.ts [--runs 5] [--batch 20] [--batch-runs 3]
 *                                [--templates 10000] [--idle-seconds 60]
 *                                [--only certificates,scale,browser] [--out FILE]
 *
 * A benchmark, not a test: it never fails on a figure, only when the work itself fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBind, type BindRig } from '../rig/bind.ts';
import { startKeyring, type KeyringRig } from '../rig/keyring.ts';
import { startPebble, type PebbleRig } from '../rig/pebble.ts';
import { prepareRigTls } from '../rig/tls.ts';
import { browserFigures } from './browser.ts';
import { certificateFigures } from './certificates.ts';
import { legoVersion } from './lego.ts';
import { formatNotes, formatTable, writeResult, type BenchResult, type Figure } from './report.ts';
import { scaleFigures } from './scale.ts';
import { loadNow, machineFacts } from './stats.ts';

const SECTIONS = ['certificates', 'scale', 'browser'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  runs: number;
  batch: number;
  batchRuns: number;
  templates: number;
  idleSeconds: number;
  only: Section[];
  out: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    runs: 5,
    batch: 20,
    batchRuns: 3,
    templates: 10_000,
    idleSeconds: 60,
    only: [...SECTIONS],
    out: join(import.meta.dirname, 'results', 'latest.json'),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = (argv[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? argv[++i] ?? '';
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number`);
      return n;
    };
    if (flag === '--runs') o.runs = Math.max(1, int());
    else if (flag === '--batch') o.batch = Math.max(1, int());
    else if (flag === '--batch-runs') o.batchRuns = Math.max(1, int());
    else if (flag === '--templates') o.templates = Math.max(1, int());
    else if (flag === '--idle-seconds') o.idleSeconds = int();
    else if (flag === '--out') o.out = value;
    else if (flag === '--only') {
      const wanted = value.split(',');
      const bad = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (bad.length > 0)
        throw new Error(`--only takes ${SECTIONS.join(', ')}; not ${bad.join(', ')}`);
      o.only = wanted as Section[];
    } else throw new Error(`unknown option ${flag}`);
  }
  return o;
}

const TOOLS = [
  ['pebble', 'pebble'],
  ['named', 'bind9'],
  ['tsig-keygen', 'bind9-utils'],
  ['nsupdate', 'bind9-dnsutils'],
  ['dig', 'bind9-dnsutils'],
  ['openssl', 'openssl'],
  ['dbus-daemon', 'dbus'],
  ['gnome-keyring-daemon', 'gnome-keyring'],
  ['chromium', 'chromium'],
] as const;

/** Stops with one clear line when a Debian package the rig needs is missing. */
function requireTools(): void {
  const missing = TOOLS.filter(
    ([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0,
  );
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  throw new Error(`the benchmark needs Debian packages that are not installed: ${packages}`);
}

/** Builds dist/ when the test host is missing (`npm run bench` builds first anyway). */
function requireBuild(): void {
  if (existsSync('dist/testhost/server.js') && existsSync('dist/renderer/index.html')) return;
  const built = spawnSync(process.execPath, ['build/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed (messages above)');
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Rig {
  keyring: KeyringRig;
  bind: BindRig;
  pebble: PebbleRig;
  env: NodeJS.ProcessEnv;
}

async function startRig(work: string): Promise<Rig> {
  const tls = await prepareRigTls(join(work, 'tls'));
  Object.assign(process.env, tls); // startPebble signs its HTTPS leaf with this CA
  const keyring = await startKeyring();
  const bind = await startBind();
  const pebble = await startPebble({
    dnsServer: `${bind.host}:${bind.port}`,
    env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  });
  progress(`rig: BIND on ${bind.host}:${bind.port}, Pebble at ${pebble.directoryUrl}`);
  return { keyring, bind, pebble, env: { ...keyring.childEnv(), ...tls } };
}

async function measure(o: Options, rig: Rig, lego: boolean): Promise<Figure[]> {
  const figures: Figure[] = [];
  if (o.only.includes('certificates')) {
    const { runs, batch, batchRuns } = o;
    figures.push(...(await certificateFigures({ ...rig, runs, batch, batchRuns, lego, progress })));
  }
  let loadMs: number | undefined;
  if (o.only.includes('scale')) {
    const scale = await scaleFigures({
      ...rig,
      templates: o.templates,
      idleSeconds: o.idleSeconds,
      progress,
    });
    loadMs = scale.loadMs;
    figures.push(...scale.figures);
  }
  if (o.only.includes('browser'))
    figures.push(...(await browserFigures({ ...rig, templates: o.templates, loadMs, progress })));
  return figures;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  requireTools();
  requireBuild();
  const lego = await legoVersion();
  if (!lego)
    progress(
      'lego is not installed at /usr/bin/lego: lego columns stay empty (apt-get install lego)',
    );
  const machine = machineFacts();
  const work = await mkdtemp(join(tmpdir(), 'certdesk-bench-'));
  let rig: Rig | undefined;
  try {
    rig = await startRig(work);
    const figures = await measure(o, rig, lego !== null);
    const result: BenchResult = {
      date: new Date().toISOString(),
      machine,
      loadAtEnd: loadNow(),
      lego,
      figures,
    };
    await writeResult(o.out, result);
    process.stdout.write(`\n${formatTable(figures)}\n\n${formatNotes(figures)}\n\n`);
    process.stdout.write(
      `${result.date}, ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryMiB} MiB, Node ${machine.node}, load ${machine.loadAtStart.toFixed(2)} at start and ${result.loadAtEnd} at end. JSON: ${o.out}\n`,
    );
  } finally {
    await rig?.pebble.stop();
    await rig?.bind.stop();
    await rig?.keyring.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
