/**
 * `npm run demo`: the whole flow on one machine, on 127.0.0.1 only.
 *
 * Starts BIND (customer zone `example.test` plus the validation zone `validation.test`) and
 * Pebble, a test ACME CA; points a fresh Certdesk data folder at them; opens Certdesk (the
 * Electron app, or with --web the test host in your browser). Then it plays your DNS team:
 * each time a template asks for a CNAME in example.test, it offers to create it (or creates it
 * at once with --auto). Create a template for e.g. `www.example.test` and watch it go from
 * Pending Verification to Latest Certificate.
 *
 *   npm run demo [-- --web] [-- --auto] [-- --data-dir DIR]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { startBind, type BindRig } from '../rig/bind.ts';
import { startKeyring, type KeyringRig } from '../rig/keyring.ts';
import { startPebble, type PebbleRig } from '../rig/pebble.ts';
import { prepareRigTls } from '../rig/tls.ts';

const NEEDED = [
  ['pebble', 'pebble'],
  ['named', 'bind9'],
  ['tsig-keygen', 'bind9-utils'],
  ['nsupdate', 'bind9-dnsutils'],
  ['dig', 'bind9-dnsutils'],
  ['openssl', 'openssl'],
] as const;

function missingTools(): string[] {
  return NEEDED.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0).map(
    ([, pkg]) => pkg,
  );
}

interface DemoArgs {
  web: boolean;
  auto: boolean;
  dataDir?: string;
}

function parseArgs(argv: string[]): DemoArgs {
  const args: DemoArgs = { web: argv.includes('--web'), auto: argv.includes('--auto') };
  const at = argv.indexOf('--data-dir');
  if (at >= 0 && argv[at + 1]) args.dataDir = resolve(argv[at + 1] as string);
  return args;
}

/** Writes the demo settings through the real core, so the TSIG secret lands in the keychain. */
async function configure(
  dataDir: string,
  bind: BindRig,
  pebble: PebbleRig,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const script = join(import.meta.dirname, 'configure.ts');
  const input = JSON.stringify({
    dataDir,
    settings: {
      ca: { preset: 'custom', directoryUrl: pebble.directoryUrl },
      dns: {
        kind: 'rfc2136',
        server: bind.host,
        port: bind.port,
        zone: bind.zones.validation,
        keyName: bind.tsig.name,
        algorithm: 'hmac-sha256',
        secret: bind.tsig.secret,
      },
      resolver: { kind: 'custom', host: bind.host, port: bind.port },
    },
  });
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
    input,
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`could not configure Certdesk: ${result.stderr || result.stdout}`);
}

function launch(args: DemoArgs, dataDir: string, env: NodeJS.ProcessEnv): ChildProcess {
  if (args.web) {
    const host = spawn(
      process.execPath,
      ['dist/testhost/server.js', '--port', '0', '--data-dir', dataDir],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    host.stdout?.on('data', (chunk: Buffer) =>
      process.stdout.write(
        `${chunk.toString().replace(/^Certdesk test host: /m, 'Open Certdesk at ')}`,
      ),
    );
    return host;
  }
  return spawn(process.execPath, ['build/start.mjs', `--data-dir=${dataDir}`], {
    env,
    stdio: 'inherit',
  });
}

/** The CNAMEs the templates in the store ask for, read without touching the store. */
function wantedRecords(dataDir: string): { name: string; value: string }[] {
  try {
    const doc = JSON.parse(readFileSync(join(dataDir, 'certdesk.json'), 'utf8')) as {
      templates: { challengeRecords: { name: string; value: string }[] }[];
    };
    return doc.templates.flatMap((t) => t.challengeRecords);
  } catch {
    return [];
  }
}

async function playDnsTeam(
  args: DemoArgs,
  dataDir: string,
  bind: BindRig,
  stopped: () => boolean,
): Promise<void> {
  const done = new Set<string>();
  const ask = createInterface({ input: process.stdin, output: process.stdout });
  while (!stopped()) {
    for (const record of wantedRecords(dataDir)) {
      if (done.has(record.name) || !record.name.endsWith(`.${bind.zones.customer}`)) continue;
      done.add(record.name);
      const line = `${record.name}. 300 IN CNAME ${record.value}.`;
      const answer = args.auto
        ? 'y'
        : await ask.question(`\nCreate this record in the demo zone?\n  ${line}\n[Y/n] `);
      if (/^n/i.test(answer.trim())) continue;
      await bind.addCustomerRecord(record.name, 'CNAME', `${record.value}.`, 300);
      console.log(
        `Created ${line} (Certdesk notices within 30 seconds, or at once with Check now).`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  ask.close();
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length) {
    console.error(
      `The demo needs Debian packages that are not installed: ${[...new Set(missing)].join(' ')}`,
    );
    console.error(`Install them with: sudo apt-get install ${[...new Set(missing)].join(' ')}`);
    process.exit(1);
  }
  if (!existsSync('dist/testhost/server.js') || !existsSync('dist/electron/main.js')) {
    spawnSync(process.execPath, ['build/build.mjs'], { stdio: 'inherit' });
  }
  const work = await mkdtemp(join(tmpdir(), 'certdesk-demo-'));
  const dataDir = args.dataDir ?? join(work, 'data');
  const tls = await prepareRigTls(join(work, 'tls'));
  Object.assign(process.env, tls);
  let keyring: KeyringRig | undefined;
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    keyring = await startKeyring();
    console.log('No desktop session bus found: using a private, throwaway keyring for the demo.');
  }
  const env = { ...(keyring ? keyring.childEnv() : process.env), ...tls };
  const bind = await startBind({ customerZone: 'example.test', validationZone: 'validation.test' });
  const pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}` });
  console.log(
    `BIND on ${bind.host}:${bind.port} (zones example.test, validation.test); Pebble at ${pebble.directoryUrl}`,
  );
  await configure(dataDir, bind, pebble, env);
  console.log(
    `Certdesk data folder: ${dataDir}\nCreate a template for a name in example.test, e.g. www.example.test.`,
  );

  let stopping = false;
  const app = launch(args, dataDir, env);
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    app.kill('SIGTERM');
    await pebble.stop();
    await bind.stop();
    await keyring?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  app.on('exit', () => void stop());
  await playDnsTeam(args, dataDir, bind, () => stopping);
}

main().catch((error: unknown) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
