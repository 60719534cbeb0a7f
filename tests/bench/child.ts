/**
 * Worker processes of the benchmark. Node reads NODE_EXTRA_CA_CERTS (Pebble's HTTPS CA) and
 * keytar reads the D-Bus address only when a process starts, so everything that runs
 * Certdesk's core runs in a child started with the rig's environment. Parent and child talk
 * over Node's IPC channel with small typed messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A message between the benchmark and a worker: a `type` plus plain JSON fields. */
export interface BenchMessage {
  type: string;
  [field: string]: unknown;
}

/** A running worker. */
export interface BenchWorker {
  /** The child's pid (for its RSS). */
  pid: number;
  /** Sends one message to the worker. */
  send(message: BenchMessage): void;
  /** The next message of `type`; rejects when the worker exits or sends `error` first. */
  next<T extends BenchMessage>(type: string): Promise<T>;
  /** Resolves with the exit code once the worker has exited. */
  exited: Promise<number>;
  /** Asks the worker to exit (SIGTERM) and waits for it. */
  stop(): Promise<number>;
}

/**
 * Starts `tests/bench/<script>` under tsx with `env` as its whole environment. BENCH_CPU_PROF
 * (see profileWindow in stats.ts) is passed on, so workers can profile their measured windows.
 */
export function startWorker(script: string, env: NodeJS.ProcessEnv): BenchWorker {
  const profile = process.env.BENCH_CPU_PROF;
  const child = fork(join(import.meta.dirname, script), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: profile ? { ...env, BENCH_CPU_PROF: profile } : env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return wrap(child);
}

function wrap(child: ChildProcess): BenchWorker {
  const inbox: BenchMessage[] = [];
  const waiting: {
    type: string;
    resolve: (m: BenchMessage) => void;
    reject: (e: Error) => void;
  }[] = [];
  let exitError: Error | undefined;
  const deliver = () => {
    for (const w of [...waiting]) {
      const at = inbox.findIndex((m) => m.type === w.type || m.type === 'error');
      if (at >= 0) {
        const [message] = inbox.splice(at, 1) as [BenchMessage];
        waiting.splice(waiting.indexOf(w), 1);
        if (message.type === 'error') w.reject(new Error(`worker: ${String(message.message)}`));
        else w.resolve(message);
      } else if (exitError) {
        waiting.splice(waiting.indexOf(w), 1);
        w.reject(exitError);
      }
    }
  };
  child.on('message', (m) => {
    inbox.push(m as BenchMessage);
    deliver();
  });
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      exitError = new Error(`worker exited (${code ?? signal}) before answering`);
      deliver();
      resolve(code ?? 1);
    });
  });
  return {
    pid: child.pid ?? 0,
    send: (message) => void child.send(message),
    next: <T extends BenchMessage>(type: string) =>
      new Promise<T>((resolve, reject) => {
        waiting.push({ type, resolve: resolve as (m: BenchMessage) => void, reject });
        deliver();
      }),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Worker side: messages from the benchmark, taken in order by type. */
export interface WorkerInbox {
  /** The next message of `type` (or of any type when omitted). */
  next<T extends BenchMessage>(type?: string): Promise<T>;
}

/**
 * Worker side: runs `main` with an inbox of the benchmark's messages, reports a thrown error
 * as an `error` message (the benchmark prints it) and exits when `main` is done.
 */
export function runWorker(main: (inbox: WorkerInbox) => Promise<void>): void {
  const inbox: BenchMessage[] = [];
  const waiting: { type: string | undefined; resolve: (m: BenchMessage) => void }[] = [];
  const deliver = () => {
    for (const w of [...waiting]) {
      const at = inbox.findIndex((m) => w.type === undefined || m.type === w.type);
      if (at < 0) continue;
      const [message] = inbox.splice(at, 1) as [BenchMessage];
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(message);
    }
  };
  process.on('message', (raw) => {
    inbox.push(raw as BenchMessage);
    deliver();
  });
  process.on('SIGTERM', () => process.exit(0));
  const next = <T extends BenchMessage>(type?: string) =>
    new Promise<T>((resolve) => {
      waiting.push({ type, resolve: resolve as (m: BenchMessage) => void });
      deliver();
    });
  main({ next }).then(
    () => process.exit(0),
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ type: 'error', message }, () => process.exit(1));
    },
  );
}

/** Worker side: sends one message to the benchmark; resolves once it has left. */
export function tell(message: BenchMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, () => resolve());
  });
}
