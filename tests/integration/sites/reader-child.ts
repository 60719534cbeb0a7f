/**
 * Child process for the atomic-deployment test: reads one file over and over and checks that
 * every read is exactly one of the allowed versions. Arguments: the file, then the SHA-256 (hex)
 * of each allowed content. Prints `ready` after its first read, `switch <n>` whenever the
 * version it reads changes, `bad <n> <what>` for a read that is none of them (a torn or missing
 * file), and on SIGTERM `summary <json>` before exiting.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [path, ...allowed] = process.argv.slice(2);
if (!path || allowed.length === 0) throw new Error('usage: reader-child.ts <file> <sha256>...');

const seen = new Map<string, number>(allowed.map((hash) => [hash, 0]));
let reads = 0;
let bad = 0;
let switches = 0;
let last: string | undefined;

function reportBad(what: string): void {
  bad += 1;
  if (bad <= 5) process.stdout.write(`bad ${bad} ${what}\n`);
}

function readOnce(): void {
  let data: Buffer;
  try {
    data = readFileSync(path as string);
  } catch (error) {
    reportBad(String((error as NodeJS.ErrnoException).code));
    return;
  }
  reads += 1;
  const hash = createHash('sha256').update(data).digest('hex');
  const count = seen.get(hash);
  if (count === undefined) return reportBad(`${data.length}-bytes`);
  seen.set(hash, count + 1);
  if (last !== undefined && hash !== last) {
    switches += 1;
    process.stdout.write(`switch ${switches}\n`);
  }
  last = hash;
}

process.on('SIGTERM', () => {
  const summary = { reads, bad, switches, seen: [...seen.values()] };
  // Pipes are synchronous on POSIX: the line is out before exit.
  process.stdout.write(`summary ${JSON.stringify(summary)}\n`);
  process.exit(0);
});

readOnce();
process.stdout.write('ready\n');

// Batches of reads, yielding between them so SIGTERM is handled.
const loop = (): void => {
  for (let i = 0; i < 100; i += 1) readOnce();
  setImmediate(loop);
};
loop();
