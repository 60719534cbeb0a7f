import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** What a finished command printed and how it exited. */
export interface RunResult {
  /** Exit code, or null when a signal ended the command. */
  code: number | null;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Options for run(): stdin text, environment (replaces process.env when given), timeout. */
export interface RunOptions {
  /** Text written to stdin, which is then closed; default ''. */
  input?: string;
  /** The whole environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Working directory; default the current one. */
  cwd?: string;
  /** Kill and reject after this many ms; default 20 000. */
  timeoutMs?: number;
}

/**
 * Runs a command to completion and resolves with its output, whatever the exit code; rejects
 * only when it cannot be started or exceeds `timeoutMs` (default 20 s), after killing it.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not finish within ${opts.timeoutMs ?? 20000} ms`));
    }, opts.timeoutMs ?? 20000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a command that exits early closes its stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run(), but rejects with the command's stderr when it exits non-zero. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}: ${r.stderr.trim() || r.stdout}`);
  return r.stdout;
}

/**
 * Polls `probe` until it returns a value other than undefined, or rejects after `deadlineMs`
 * with `what` and the last probe error. Used for readiness, never as a test assertion.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 15000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const why = last instanceof Error ? `: ${last.message}` : '';
  throw new Error(`timed out waiting for ${what}${why}`);
}

/** Sends SIGTERM, then SIGKILL if the process is still alive after `graceMs`; resolves on exit. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Last `lines` lines of a log file, or '' when it cannot be read. */
export async function tailFile(path: string, lines = 30): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

const live = new Set<ChildProcess>();

/**
 * Registers a long-running rig child so it is SIGKILLed if this Node process exits without
 * stopping it (a crashed or interrupted test run), instead of lingering on its port.
 */
export function killOnExit(child: ChildProcess): ChildProcess {
  if (live.size === 0) process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
