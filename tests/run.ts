/**
 * `npm test`: every check Certdesk has, in order, on a clean machine.
 *
 *   format (Prettier) → lint (ESLint) → types (tsc, svelte-check) → build →
 *   unit + integration tests (vitest) → end-to-end tests in Chromium (Playwright)
 *
 * The tests run inside a private D-Bus session with an unlocked gnome-keyring (a throwaway
 * HOME), because keytar reads the session address when it loads. BIND and Pebble are started
 * by the tests that need them. Every stage runs even when an earlier one failed, so one run
 * shows everything; the exit code is non-zero if any stage failed, and the last line is the
 * plain "N passed, N failed" count of tests.
 *
 * `npm test -- unit e2e` runs only the named stages.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startKeyring, type KeyringRig } from './rig/keyring.ts';
import { prepareRigTls } from './rig/tls.ts';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Stage {
  name: string;
  command: string[];
  needsKeyring?: boolean;
  /** Reads pass/fail counts after the stage ran. */
  counts?: () => Promise<Counts>;
}

const TMP = join(process.cwd(), '.tmp', 'test-run');
const VITEST_JSON = join(TMP, 'vitest.json');
const PLAYWRIGHT_JSON = join(TMP, 'playwright.json');

async function vitestCounts(): Promise<Counts> {
  const report = JSON.parse(await readFile(VITEST_JSON, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

async function playwrightCounts(): Promise<Counts> {
  const report = JSON.parse(await readFile(PLAYWRIGHT_JSON, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  const { expected, unexpected, flaky, skipped } = report.stats;
  return { passed: expected, failed: unexpected + flaky, skipped };
}

const STAGES: Stage[] = [
  { name: 'format', command: ['npx', 'prettier', '--check', '.'] },
  { name: 'lint', command: ['npx', 'eslint', '--max-warnings=0', '.'] },
  { name: 'types', command: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'types-e2e', command: ['npx', 'tsc', '--noEmit', '-p', 'tests/e2e/tsconfig.json'] },
  {
    name: 'svelte-check',
    command: ['npx', 'svelte-check', '--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings'],
  },
  { name: 'build', command: ['node', 'build/build.mjs'] },
  {
    name: 'unit',
    command: [
      'npx',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${VITEST_JSON}`,
    ],
    needsKeyring: true,
    counts: vitestCounts,
  },
  {
    name: 'e2e',
    command: ['npx', 'playwright', 'test', '--reporter=list,json'],
    needsKeyring: true,
    counts: playwrightCounts,
  },
];

function run(stage: Stage, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const [cmd, ...args] = stage.command as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(127));
  });
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const stages = wanted.length ? STAGES.filter((s) => wanted.includes(s.name)) : STAGES;
  await rm(TMP, { recursive: true, force: true });
  await mkdir(TMP, { recursive: true });

  let keyring: KeyringRig | undefined;
  const tls = await prepareRigTls(join(TMP, 'rig-tls'));
  const totals: Counts = { passed: 0, failed: 0, skipped: 0 };
  const failedStages: string[] = [];
  try {
    for (const stage of stages) {
      process.stdout.write(`\n=== ${stage.name}: ${stage.command.join(' ')}\n`);
      let env: NodeJS.ProcessEnv = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON };
      if (stage.needsKeyring) {
        keyring ??= await startKeyring();
        env = {
          ...keyring.childEnv(),
          ...tls,
          CERTDESK_TEST_KEYRING: '1',
          PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON,
        };
      }
      const code = await run(stage, env);
      if (code !== 0) failedStages.push(stage.name);
      // A failed check stage counts as one failure; test stages count their tests.
      if (!stage.counts) totals[code === 0 ? 'passed' : 'failed'] += 1;
      if (stage.counts) {
        const counts = await stage.counts().catch(() => ({ passed: 0, failed: 1, skipped: 0 }));
        totals.passed += counts.passed;
        totals.failed += counts.failed;
        totals.skipped += counts.skipped;
      }
    }
  } finally {
    await keyring?.stop();
  }
  process.stdout.write(
    `\nstages: ${stages.length - failedStages.length} of ${stages.length} passed` +
      (failedStages.length ? ` (failed: ${failedStages.join(', ')})` : '') +
      '\n',
  );
  process.stdout.write(
    `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
  );
  return failedStages.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `test run could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
