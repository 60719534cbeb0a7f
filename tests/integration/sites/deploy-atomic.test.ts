import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { deployToFolder } from '../../../electron/core/sites/deploy.ts';
import { exited, spawnTs, waitForLine } from '../../unit/store/fixtures.ts';
import { issueLeaf, makeTestCa, type TestCertificate } from './test-chain.ts';

const readerChild = fileURLToPath(new URL('./reader-child.ts', import.meta.url));

/** Switches of version the reader must observe: proof that its reads interleaved with writes. */
const SWITCHES_WANTED = 20;
/** Upper bound on writes, so a reader that never sees a change fails instead of hanging. */
const MAX_WRITES = 3000;

let root: string;
let short: TestCertificate;
let long: TestCertificate;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'certdesk-atomic-'));
  const ca = await makeTestCa(join(root, 'ca'));
  short = await issueLeaf(ca, ['a.example.test']);
  // More names make a longer leaf, so a torn read of either version cannot look like the other.
  long = await issueLeaf(
    ca,
    Array.from({ length: 12 }, (_, i) => `host-${i}.example.test`),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface ReaderSummary {
  reads: number;
  bad: number;
  switches: number;
  seen: number[];
}

/** Starts the reader on `file`, accepting only `versions`; counts its switch and bad lines. */
async function startReader(file: string, versions: string[]) {
  const child: ChildProcess = spawnTs(readerChild, [file, ...versions.map(sha256)]);
  const counts = { switches: 0, bad: 0 };
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    counts.switches = (output.match(/^switch /gm) ?? []).length;
    counts.bad = (output.match(/^bad /gm) ?? []).length;
  });
  await waitForLine(child, 'ready');
  const stop = async (): Promise<ReaderSummary> => {
    const summary = waitForLine(child, 'summary ');
    child.kill('SIGTERM');
    const line = await summary.finally(() => exited(child));
    return JSON.parse(line.slice('summary '.length)) as ReaderSummary;
  };
  return { counts, stop, kill: () => child.kill('SIGKILL') };
}

describe('deployToFolder atomicity', () => {
  it('never lets a concurrent reader see a partial fullchain.pem while deployments repeat', async () => {
    const folder = join(root, 'site');
    await deployToFolder({ folder, chainPem: short.chainPem, keyPem: short.keyPem });
    const reader = await startReader(join(folder, 'fullchain.pem'), [
      short.chainPem,
      long.chainPem,
    ]);
    let writes = 0;
    try {
      while (reader.counts.switches < SWITCHES_WANTED && writes < MAX_WRITES) {
        const next = writes % 2 === 0 ? long : short;
        await deployToFolder({ folder, chainPem: next.chainPem, keyPem: next.keyPem });
        writes += 1;
      }
    } catch (error) {
      reader.kill();
      throw error;
    }
    const summary = await reader.stop();
    expect(summary.bad).toBe(0);
    expect(summary.switches).toBeGreaterThanOrEqual(SWITCHES_WANTED);
    expect(summary.seen.every((count) => count > 0)).toBe(true);
  });

  // Control: the same reader does catch torn files when a file is rewritten in place, so the
  // test above would notice a deployment that was not atomic.
  it('catches a torn file when the same file is rewritten in place (control)', async () => {
    const file = join(root, 'in-place.pem');
    await writeFile(file, short.chainPem);
    const reader = await startReader(file, [short.chainPem, long.chainPem]);
    let writes = 0;
    while (reader.counts.bad === 0 && writes < MAX_WRITES * 10) {
      await writeFile(file, writes % 2 === 0 ? long.chainPem : short.chainPem);
      writes += 1;
    }
    const summary = await reader.stop();
    expect(summary.bad).toBeGreaterThan(0);
  });
});
