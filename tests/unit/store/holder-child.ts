/**
 * Child process for the lock tests: opens the test store in the folder given as the first
 * argument, prints `ready <pid>`, and holds it until killed. If opening fails it prints
 * `failed <code> <message>` and exits 3.
 */
import { openDurableStore } from '../../../electron/core/store/index.ts';
import { testStoreOptions } from './fixtures.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: holder-child.ts <dir>');

try {
  await openDurableStore(testStoreOptions(dir));
  process.stdout.write(`ready ${process.pid}\n`);
  setInterval(() => undefined, 60_000); // hold the store until the parent kills us
} catch (error) {
  const code = (error as { code?: string }).code ?? 'unknown';
  process.stdout.write(`failed ${code} ${(error as Error).message}\n`);
  process.exit(3);
}
