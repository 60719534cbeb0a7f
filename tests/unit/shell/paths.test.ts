import { describe, expect, it } from 'vitest';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { resolveDataDir } from '../../../electron/shell/paths.ts';

const USER_DATA = '/home/admin/.config/Certdesk';
const CWD = '/work';

// [argv after the executable, environment, expected path, expected source]
const TABLE: [string[], Record<string, string>, string, string][] = [
  [[], {}, USER_DATA, 'default'],
  [['.'], {}, USER_DATA, 'default'],
  [['.', '--data-dir=/tmp/certdesk'], {}, '/tmp/certdesk', 'argument'],
  [['.', '--data-dir', '/tmp/certdesk'], {}, '/tmp/certdesk', 'argument'],
  [['--data-dir=relative/dir'], {}, '/work/relative/dir', 'argument'],
  [['--data-dir', 'with space/x'], {}, '/work/with space/x', 'argument'],
  [['--data-dir=/a', '--data-dir=/b'], {}, '/b', 'argument'],
  [['--data-dir=/a=b'], {}, '/a=b', 'argument'],
  [['--data-dir=/from-arg'], { CERTDESK_DATA_DIR: '/from-env' }, '/from-arg', 'argument'],
  [[], { CERTDESK_DATA_DIR: '/from-env' }, '/from-env', 'environment'],
  [[], { CERTDESK_DATA_DIR: 'env-relative' }, '/work/env-relative', 'environment'],
  [[], { CERTDESK_DATA_DIR: '' }, USER_DATA, 'default'],
  [['--user-data-dir=/chromium'], {}, USER_DATA, 'default'],
  [['--data-directory=/x'], {}, USER_DATA, 'default'],
  [['--', '--data-dir=/after-double-dash'], {}, USER_DATA, 'default'],
];

describe('choosing the data folder', () => {
  for (const [args, env, path, source] of TABLE) {
    it(`uses ${path} (${source}) for ${JSON.stringify(args)} ${JSON.stringify(env)}`, () => {
      expect(resolveDataDir(['/usr/bin/electron', ...args], env, USER_DATA, CWD)).toEqual({
        path,
        source,
      });
    });
  }

  const INVALID = [['--data-dir'], ['--data-dir='], ['--data-dir', '--other'], ['--data-dir=  ']];
  for (const args of INVALID) {
    it(`refuses ${JSON.stringify(args)} with a sentence that names the option`, () => {
      const attempt = () => resolveDataDir(['/usr/bin/electron', ...args], {}, USER_DATA, CWD);
      expect(attempt).toThrow(CertdeskError);
      expect(attempt).toThrow('--data-dir needs a folder');
    });
  }

  it('refuses a userData path that is not absolute rather than writing beside the process', () => {
    expect(() => resolveDataDir([], {}, 'relative', CWD)).toThrow(CertdeskError);
  });
});
