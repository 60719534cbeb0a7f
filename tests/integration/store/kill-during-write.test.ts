import { describe, it, expect, afterAll } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openDurableStore } from '../../../electron/core/store/index.ts';
import {
  docText,
  exited,
  makeTempDir,
  removeDir,
  spawnTs,
  testStoreOptions,
  validateTestDoc,
  waitForLine,
} from '../../unit/store/fixtures.ts';

const writerScript = fileURLToPath(new URL('./writer-child.ts', import.meta.url));
const ITERATIONS = 40;
const DECOY_SEQ = 1_000_000_000;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

/** Runs the writer until SIGKILL at a random moment; returns the last sequence it reported. */
async function runAndKill(dir: string): Promise<number> {
  const child = spawnTs(writerScript, [dir]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitForLine(child, 'ready ');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 80));
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
  const reported = [...output.matchAll(/^(?:ready|committed) (\d+)$/gm)].map((m) => Number(m[1]));
  expect(reported.length).toBeGreaterThan(0);
  return Math.max(...reported);
}

describe('a store writer killed at random moments (RELIABILITY L1)', () => {
  it('always leaves a file that parses and holds the last committed or the in-flight sequence', async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    const path = join(dir, 'certdesk.json');
    const outcomes = { committed: 0, inFlight: 0, tempLeft: 0 };
    for (let i = 0; i < ITERATIONS; i += 1) {
      const lastCommitted = await runAndKill(dir);

      const onDisk = validateTestDoc(JSON.parse(await readFile(path, 'utf8')));
      expect([lastCommitted, lastCommitted + 1]).toContain(onDisk.seq);
      if ((await readdir(dir)).some((name) => name.endsWith('.tmp'))) outcomes.tempLeft += 1;
      // A complete, valid temp file with a far-ahead sequence must still never be loaded.
      await writeFile(`${path}.99999.abcdefabcdef.tmp`, docText(DECOY_SEQ));

      const store = await openDurableStore(testStoreOptions(dir));
      expect(store.notices).toEqual([]);
      expect(store.data.seq).toBe(onDisk.seq);
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await store.close();
      outcomes[onDisk.seq === lastCommitted ? 'committed' : 'inFlight'] += 1;
    }
    console.info(
      `kill-during-write outcomes over ${ITERATIONS} kills: ${JSON.stringify(outcomes)}`,
    );
  }, 120_000);
});
