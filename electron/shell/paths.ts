/**
 * Where Certdesk keeps its data: `--data-dir=<path>` or `--data-dir <path>` on the command
 * line, else the CERTDESK_DATA_DIR environment variable, else Electron's userData folder.
 * Tests and portable installs use the first two. The choice is a pure function of its inputs.
 */
import { isAbsolute, resolve } from 'node:path';
import { CertdeskError } from '../core/errors.ts';

/** The command-line option naming the data folder. */
export const DATA_DIR_OPTION = '--data-dir';
/** The environment variable naming the data folder. */
export const DATA_DIR_ENV = 'CERTDESK_DATA_DIR';

/** The data folder and where the choice came from. */
export interface DataDirChoice {
  /** Absolute path. */
  path: string;
  /** `--data-dir`, CERTDESK_DATA_DIR, or Electron's userData folder. */
  source: 'argument' | 'environment' | 'default';
}

function invalidArgument(message: string): CertdeskError {
  return new CertdeskError({ code: 'invalid-argument', message });
}

/**
 * The value of the last `--data-dir` option in argv (a later one overrides an earlier one), or
 * undefined when there is none. Scanning stops at `--`. Throws CertdeskError
 * `invalid-argument` when the option has no value.
 */
export function dataDirArgument(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith(`${DATA_DIR_OPTION}=`)) {
      value = arg.slice(DATA_DIR_OPTION.length + 1);
    } else if (arg === DATA_DIR_OPTION) {
      const next = argv[i + 1];
      value = next === undefined || next.startsWith('--') ? '' : next;
      i += 1;
    } else {
      continue;
    }
    if (value.trim() === '') {
      throw invalidArgument(
        `${DATA_DIR_OPTION} needs a folder, for example ${DATA_DIR_OPTION}=/path/to/data.`,
      );
    }
  }
  return value;
}

/**
 * Chooses the data folder. Relative paths resolve against `cwd`. Throws CertdeskError
 * `invalid-argument` for `--data-dir` without a value.
 */
export function resolveDataDir(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  userDataPath: string,
  cwd: string = process.cwd(),
): DataDirChoice {
  const fromArgument = dataDirArgument(argv);
  if (fromArgument !== undefined) return { path: resolve(cwd, fromArgument), source: 'argument' };
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { path: resolve(cwd, fromEnv), source: 'environment' };
  }
  if (!isAbsolute(userDataPath)) {
    throw invalidArgument(`The user data folder ${userDataPath} is not an absolute path.`);
  }
  return { path: userDataPath, source: 'default' };
}
