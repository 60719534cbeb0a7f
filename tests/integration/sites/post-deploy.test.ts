import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

import {
  resolveProgram,
  runPostDeploy,
  type PostDeployRequest,
} from '../../../electron/core/sites/post-deploy.ts';
import { HEAD_BYTES, TAIL_BYTES } from '../../../electron/core/sites/output-tail.ts';
import { isCertdeskError } from '../../../electron/core/errors.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-post-deploy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** True when no live process has this pid (gone, or a zombie nobody has reaped yet). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function refusal(request: PostDeployRequest): Promise<{ code: string; message: string }> {
  const error = await runPostDeploy(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCertdeskError(error)) throw new Error(`expected a CertdeskError, got ${String(error)}`);
  return error;
}

describe('runPostDeploy', () => {
  it('reports the exit status and captures stdout and stderr', async () => {
    const result = await runPostDeploy({
      command: ['sh', '-c', 'echo reloaded; echo "warning: old directive" >&2; exit 3'],
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      stdout: 'reloaded\n',
      stderr: 'warning: old directive\n',
      timedOut: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments literally, with no shell to interpret ; $ or backquotes', async () => {
    const marker = join(dir, 'pwned');
    const argument = `a; touch ${marker} && echo $HOME \`id\` | cat`;
    const result = await runPostDeploy({ command: ['echo', argument], timeoutMs: 30_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`${argument}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs sh -c only because sh is the program, in the environment given', async () => {
    const env = { PATH: process.env.PATH, HOME: '/srv/certdesk-home' };
    const result = await runPostDeploy({
      command: ['sh', '-c', 'echo $HOME'],
      env,
      timeoutMs: 30_000,
    });
    expect(result.stdout).toBe('/srv/certdesk-home\n');
  });

  it('runs in the working directory given', async () => {
    const result = await runPostDeploy({ command: ['pwd'], cwd: dir, timeoutMs: 30_000 });
    expect(result.stdout).toBe(`${await realpath(dir)}\n`);
  });

  it('keeps the start and the end of long output and says how much was left out', async () => {
    const result = await runPostDeploy({
      command: ['sh', '-c', 'seq 1 100000; echo last line'],
      timeoutMs: 30_000,
    });
    const total = Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join('').length + 10;
    expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(result.stdout.endsWith('100000\nlast line\n')).toBe(true);
    expect(result.stdout).toContain(`[... ${total - HEAD_BYTES - TAIL_BYTES} bytes left out ...]`);
  });

  it('ends the whole process tree with SIGTERM when the timeout passes', async () => {
    // The shell prints its background child's pid, then waits for it.
    const result = await runPostDeploy({
      command: ['sh', '-c', 'sleep 600 & echo $!; wait'],
      timeoutMs: 500,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGTERM');
    expect(result.exitCode).toBeNull();
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(1);
    expect(processGone(grandchild)).toBe(true);
  });

  it('follows up with SIGKILL when the command ignores SIGTERM', async () => {
    const result = await runPostDeploy({
      command: ['sh', '-c', 'trap "" TERM; echo started; sleep 600'],
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL', stdout: 'started\n' });
  });

  it('logs the outcome with the output', async () => {
    const lines: string[] = [];
    const log = createLogger([memorySink(lines)], 'debug');
    await runPostDeploy({ command: ['sh', '-c', 'echo oops >&2; exit 1'], timeoutMs: 30_000, log });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      message: 'post-deploy command ended',
      exitCode: 1,
      stderr: 'oops\n',
    });
  });
});

describe('runPostDeploy refusals', () => {
  it('refuses an empty command', async () => {
    const error = await refusal({ command: [], timeoutMs: 1000 });
    expect(error.code).toBe('post-deploy-invalid');
    expect(error.message).toBe(
      'The post-deploy command is empty; give the program and its arguments.',
    );
  });

  it.each(['./reload.sh', 'bin/reload'])(
    'refuses the relative program path %s',
    async (program) => {
      const error = await refusal({ command: [program], timeoutMs: 1000 });
      expect(error.code).toBe('post-deploy-invalid');
      expect(error.message).toBe(
        `The post-deploy program ${program} is a relative path; give its absolute path, or a program name found on PATH.`,
      );
    },
  );

  it('refuses a program name that is not on PATH', async () => {
    const error = await refusal({ command: ['certdesk-no-such-reload'], timeoutMs: 1000 });
    expect(error.message).toBe(
      'The post-deploy program certdesk-no-such-reload was not found on PATH; give its absolute path.',
    );
  });

  it('refuses an absolute path that is not an executable file', async () => {
    const script = join(dir, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    await chmod(script, 0o644);
    const error = await refusal({ command: [script], timeoutMs: 1000 });
    expect(error.message).toBe(
      `The post-deploy program ${script} does not exist or is not executable.`,
    );
  });

  it('refuses a timeout that is not a positive number', async () => {
    const error = await refusal({ command: ['true'], timeoutMs: 0 });
    expect(error.message).toContain('timeout must be a positive number');
  });

  it('reports post-deploy-failed when the OS cannot start the program', async () => {
    const error = await refusal({ command: ['true'], cwd: join(dir, 'missing'), timeoutMs: 1000 });
    expect(error.code).toBe('post-deploy-failed');
    expect(error.message).toMatch(
      /^The post-deploy program \/.*true could not be started: .*ENOENT/,
    );
  });

  it('resolves a bare program name to its absolute path on PATH', () => {
    const path = resolveProgram('sh', process.env);
    expect(isAbsolute(path)).toBe(true);
    expect(path.endsWith('/sh')).toBe(true);
  });
});
