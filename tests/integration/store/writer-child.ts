/**
 * Child process for the kill-during-write test (RELIABILITY L1). Opens the test store in the
 * folder given as the first argument, prints `ready <seq>` with the sequence it found, then saves
 * seq+1, seq+2, ... forever, printing `committed <n>` after each save has resolved. Every save
 * rewrites a few hundred kilobytes, so a kill often lands in the middle of one.
 */
import { openDurableStore } from '../../../electron/core/store/index.ts';
import { testStoreOptions } from '../../unit/store/fixtures.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: writer-child.ts <dir>');

const store = await openDurableStore(testStoreOptions(dir));
if (store.data.items.length === 0) {
  await store.update((draft) => {
    for (let i = 0; i < 200; i += 1) draft.items.push({ id: `pad-${i}`, note: 'p'.repeat(1000) });
  });
}
process.stdout.write(`ready ${store.data.seq}\n`);

for (;;) {
  const next = store.data.seq + 1;
  await store.update((draft) => {
    draft.seq = next;
    draft.items[next % draft.items.length]!.note = `written at seq ${next}`.padEnd(1000, '.');
  });
  // Pipes are synchronous on POSIX: once write() returns, the parent will read this line.
  process.stdout.write(`committed ${next}\n`);
}
