/**
 * The optional command a site runs after a deployment, such as `nginx -s reload`. It is an
 * argument list run without a shell (nothing in it is expanded or interpreted), with a timeout
 * that ends the command and everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { CertdeskError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { OutputTail } from './output-tail.ts';

/** Time between SIGTERM and SIGKILL when a command outlives its timeout; default. */
export const KILL_GRACE_MS = 3000;

/** How to run a post-deploy command. */
export interface PostDeployRequest {
  /** Program and arguments. The program is an absolute path or a name found on PATH. */
  command: string[];
  /** Working directory; default the current one of Certdesk. */
  cwd?: string;
  /** After this many ms the command is ended: SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs: number;
  /** The command's whole environment when given (not merged); default Certdesk's own. */
  env?: NodeJS.ProcessEnv;
  /** Wait between SIGTERM and SIGKILL; default {@link KILL_GRACE_MS}. */
  killGraceMs?: number;
  /** Receives one line when the command ends: program, exit status, duration and output. */
  log?: Logger;
}

/** How a post-deploy command ended. */
export interface PostDeployResult {
  /** Exit code, or null when a signal ended the command. */
  exitCode: number | null;
  /** The signal that ended the command (`SIGTERM`, `SIGKILL`...), or null. */
  signal: NodeJS.Signals | null;
  /** Standard output, shortened in the middle to a few KB when longer. */
  stdout: string;
  /** Standard error, shortened the same way. */
  stderr: string;
  /** True when Certdesk ended the command because it ran past `timeoutMs`. */
  timedOut: boolean;
  /** Wall time from start to the end of its output, in milliseconds. */
  durationMs: number;
}

/** A refusal before anything was started: the command as configured cannot run. */
function refuse(message: string): CertdeskError {
  return new CertdeskError({ code: 'post-deploy-invalid', step: 'post-deploy', message });
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The absolute path of `program`: itself when absolute, else the first executable of that name
 * in the PATH of `env` (with PATHEXT suffixes on Windows). Throws CertdeskError
 * 'post-deploy-invalid' with a sentence saying what is wrong.
 */
export function resolveProgram(program: string, env: NodeJS.ProcessEnv): string {
  if (program.trim() === '') throw refuse('The post-deploy command has no program.');
  if (isAbsolute(program)) {
    if (isExecutableFile(program)) return program;
    throw refuse(`The post-deploy program ${program} does not exist or is not executable.`);
  }
  if (program.includes('/') || program.includes('\\')) {
    throw refuse(
      `The post-deploy program ${program} is a relative path; give its absolute path, or a program name found on PATH.`,
    );
  }
  const suffixes =
    process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE').split(';')] : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue; // an empty or relative PATH entry means "here"
    for (const suffix of suffixes) {
      const candidate = join(dir, program + suffix);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw refuse(`The post-deploy program ${program} was not found on PATH; give its absolute path.`);
}

// The command runs in its own process group (detached), so a timeout can signal the whole
// group: a shell script's children die with it instead of lingering and holding our pipes.
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    } else {
      process.kill(-child.pid, signal);
    }
  } catch {
    // ESRCH: the group is already gone.
  }
}

function checkRequest(request: PostDeployRequest): void {
  if (!Array.isArray(request.command) || request.command.length === 0) {
    throw refuse('The post-deploy command is empty; give the program and its arguments.');
  }
  if (request.command.some((arg) => typeof arg !== 'string' || arg.includes('\0'))) {
    throw refuse('The post-deploy command has an argument that is not plain text.');
  }
  if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
    throw refuse('The post-deploy timeout must be a positive number of milliseconds.');
  }
}

/** Ends the command's process tree once the timeout passes: SIGTERM, then SIGKILL. */
function armDeadline(child: ChildProcess, request: PostDeployRequest) {
  let fired = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    fired = true;
    signalTree(child, 'SIGTERM');
    killTimer = setTimeout(
      () => signalTree(child, 'SIGKILL'),
      request.killGraceMs ?? KILL_GRACE_MS,
    );
  }, request.timeoutMs);
  return {
    get fired(): boolean {
      return fired;
    },
    clear(): void {
      clearTimeout(timer);
      clearTimeout(killTimer);
    },
  };
}

// Resolves on 'close', once the command has exited AND its output pipes are closed, so the
// output is complete; a background process still holding the pipes is ended by the deadline.
function runToEnd(path: string, request: PostDeployRequest): Promise<PostDeployResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(path, request.command.slice(1), {
      cwd: request.cwd,
      env: request.env ?? process.env,
      shell: false,
      detached: process.platform !== 'win32',
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new OutputTail();
    const stderr = new OutputTail();
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    const deadline = armDeadline(child, request);

    // On a failed start Node may emit 'close' after 'error'; only the first one counts.
    let settled = false;
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      const message = `The post-deploy program ${path} could not be started: ${error.message}`;
      reject(
        new CertdeskError({
          code: 'post-deploy-failed',
          step: 'post-deploy',
          message,
          cause: error,
        }),
      );
    });
    child.once('close', (exitCode, signal) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      const durationMs = Math.round(performance.now() - started);
      const timedOut = deadline.fired;
      resolve({
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        durationMs,
      });
    });
  });
}

/**
 * Runs a post-deploy command to its end and reports how it ended. A non-zero exit status or a
 * timeout is a result, not an exception: the caller shows and logs it. Throws CertdeskError
 * 'post-deploy-invalid' (nothing was started) for an empty argument list, a relative program
 * path, a program not found on PATH, or a bad timeout, and 'post-deploy-failed' when the OS
 * refuses to start the program. Never uses a shell; the output is never interpreted.
 */
export async function runPostDeploy(request: PostDeployRequest): Promise<PostDeployResult> {
  checkRequest(request);
  const path = resolveProgram(request.command[0] ?? '', request.env ?? process.env);
  const result = await runToEnd(path, request);
  const succeeded = result.exitCode === 0 && !result.timedOut;
  request.log?.[succeeded ? 'info' : 'warn']('post-deploy command ended', {
    program: path,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    stdout: result.stdout,
    stderr: result.stderr,
  });
  return result;
}
