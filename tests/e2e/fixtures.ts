/**
 * Playwright fixtures: every test gets its own test host (the real core on a fresh data
 * folder, serving the built renderer and the contract on 127.0.0.1) and a page opened on it.
 * Page errors, console errors and CSP violations are piped into the test log, and a page
 * error or CSP violation fails the test. Tests that issue certificates also take `rig`: a
 * real BIND and Pebble for their worker, which {@link configureRig} points Settings at.
 *
 * The host inherits the worker's environment, which tests/setup/playwright-global.ts filled
 * with the rig's TLS CA (NODE_EXTRA_CA_CERTS) and a private gnome-keyring's D-Bus session.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBind, type BindRig } from '../rig/bind.ts';
import { startPebble, type PebbleRig } from '../rig/pebble.ts';

export interface HostOptions {
  /** Templates written into the store before the host starts. */
  seedTemplates: number;
  /**
   * Where a site's live checks connect (e.g. 127.0.0.1) while SNI still names each host, so a
   * local TLS server can stand in for a site's hosts; unset, they connect to the hosts.
   */
  liveCheckConnectHost?: string;
}

export interface TestHost {
  url: string;
  dataDir: string;
  exportDir: string;
  /** Every contract message of this run, one JSON line each, prefixed `in ` or `out `. */
  ipcLog: string;
  process: ChildProcess;
  /** The host's stderr so far. */
  stderr: () => string;
  /** Does what clicking a tray item or notification about the template does in the app. */
  openTemplate: (id: string) => void;
}

const SERVER = join(process.cwd(), 'dist', 'testhost', 'server.js');

async function startHost(dir: string, options: HostOptions): Promise<TestHost> {
  const dataDir = join(dir, 'data');
  const exportDir = join(dir, 'exports');
  const ipcLog = join(dir, 'ipc.log');
  const args = [
    SERVER,
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--export-dir',
    exportDir,
    '--record-ipc',
    ipcLog,
    '--stdin-control',
  ];
  if (options.seedTemplates > 0) args.push('--seed-templates', String(options.seedTemplates));
  if (options.liveCheckConnectHost)
    args.push('--live-check-connect-host', options.liveCheckConnectHost);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /^Certdesk test host: (http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`test host exited with ${code}: ${stderr}`)));
  });
  const openTemplate = (id: string) => void child.stdin?.write(`open-template ${id}\n`);
  return { url, dataDir, exportDir, ipcLog, process: child, stderr: () => stderr, openTemplate };
}

/** How long a test host may take to close its core after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

/** SIGTERM, then SIGKILL after the grace time; resolves on exit, true when SIGTERM was enough. */
function stopHost(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(!killed);
    });
    child.kill('SIGTERM');
  });
}

function watchPage(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`[browser console] ${message.text()}`);
  });
}

/** BIND (customer zone `example.test`, validation zone `validation.test`) and Pebble using it. */
export interface Rig {
  bind: BindRig;
  pebble: PebbleRig;
}

/**
 * Starts BIND, then Pebble asking it for TXT records, rejecting 20% of nonces as the lego and
 * acme-client suites do. Pebble 2.4.0 crashes a request for a name with fewer labels than a
 * blocklist entry, so this rig has no blocklist; order names such as `shop.example.test`.
 */
async function startRig(): Promise<Rig> {
  const bind = await startBind();
  try {
    const pebble = await startPebble({
      dnsServer: `${bind.host}:${bind.port}`,
      env: { PEBBLE_WFE_NONCEREJECT: '20' },
    });
    return { bind, pebble };
  } catch (error) {
    await bind.stop();
    throw error;
  }
}

export const test = base.extend<{ hostOptions: HostOptions; host: TestHost }, { rig: Rig }>({
  hostOptions: [{ seedTemplates: 0 }, { option: true }],
  host: async ({ hostOptions }, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'certdesk-e2e-'));
    const host = await startHost(dir, hostOptions);
    await use(host);
    const { exitCode, signalCode } = host.process;
    const diedEarly = exitCode !== null || signalCode !== null;
    if (!diedEarly && !(await stopHost(host.process))) {
      console.warn(`the test host ignored SIGTERM for ${STOP_GRACE_MS} ms and was killed`);
    }
    await rm(dir, { recursive: true, force: true });
    expect(
      diedEarly,
      `the test host exited during the test (${exitCode ?? signalCode}): ${host.stderr()}`,
    ).toBe(false);
  },
  rig: [
    // Playwright reads the fixtures a fixture needs from its first parameter's pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const rig = await startRig();
      await use(rig);
      await rig.pebble.stop();
      await rig.bind.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  page: async ({ page, host }, use) => {
    const problems: string[] = [];
    watchPage(page, problems);
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
        (window as unknown as { __cspViolations: string[] }).__cspViolations ??= [];
        (window as unknown as { __cspViolations: string[] }).__cspViolations.push(
          event.violatedDirective,
        );
      });
    });
    await page.goto(host.url);
    await use(page);
    const csp = await page
      .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
      .catch(() => []);
    expect(problems, 'the page raised errors').toEqual([]);
    expect(csp, 'the page violated its Content-Security-Policy').toEqual([]);
  },
});

/** Configures an RFC 2136 validation zone through the real contract, as Settings would. */
export async function configureValidationZone(
  page: Page,
  zone = 'validation.example.test',
): Promise<void> {
  const result = await page.evaluate(async (validationZone) => {
    return window.certdesk.saveSettings({
      ca: { preset: 'letsencrypt' },
      dns: {
        kind: 'rfc2136',
        server: '127.0.0.1',
        port: 53,
        zone: validationZone,
        keyName: 'certdesk-e2e',
        algorithm: 'hmac-sha256',
        secret: 'c2VjcmV0LWZvci1lMmUtdGVzdHMtb25seQ==',
      },
      resolver: { kind: 'system' },
    });
  }, zone);
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
}

/**
 * Saves Settings through the real contract pointing at the rig: Pebble as a custom ACME
 * directory, BIND's validation zone by RFC 2136 with its HMAC-SHA256 TSIG key (`secret`
 * replaces the right one, to break the provider), and BIND as the resolver for checks.
 */
export async function configureRig(page: Page, rig: Rig, secret = rig.bind.tsig.secret) {
  const { bind, pebble } = rig;
  const settings = {
    ca: { preset: 'custom' as const, directoryUrl: pebble.directoryUrl },
    dns: {
      kind: 'rfc2136' as const,
      server: bind.host,
      port: bind.port,
      zone: bind.zones.validation,
      keyName: bind.tsig.name,
      algorithm: 'hmac-sha256' as const,
      secret,
    },
    resolver: { kind: 'custom' as const, host: bind.host, port: bind.port },
  };
  const result = await page.evaluate((input) => window.certdesk.saveSettings(input), settings);
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
}

export { expect };
