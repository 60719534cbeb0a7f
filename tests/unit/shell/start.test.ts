import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../../../build/start.mjs', import.meta.url));

describe('npm start without an Electron runtime', () => {
  it('says so in one line on stderr, no stack trace, and exits 1 before building', () => {
    // An override that points nowhere is missing on every machine, online or not.
    const run = spawnSync(process.execPath, [START, '--data-dir', '/tmp/unused'], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent/electron-dist' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      expect.stringMatching(
        /^Certdesk: ELECTRON_OVERRIDE_DIST_PATH is set but .+ does not exist\.$/,
      ),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
