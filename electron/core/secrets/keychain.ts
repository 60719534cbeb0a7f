/**
 * Secrets (private keys, the ACME account key, TSIG secrets, EAB keys) live in the OS keychain
 * and nowhere else. This module is the only door to it.
 *
 * Contract of every SecretStore:
 * - A missing entry reads as `null`. Any failure to ask the keychain (no keychain, locked,
 *   no answer in time) throws a CertdeskError with code keychain-unavailable, keychain-locked
 *   or keychain-timeout; it NEVER reads as `null`, so a locked keychain can never make the
 *   caller think a key is gone and make a new one.
 * - Nothing is ever written anywhere else as a fallback.
 * - Every call is bounded in time: a keychain waiting on an unlock prompt nobody sees must not
 *   hang issuance. The native call may go on in the background; its answer is then ignored.
 * - Safe for concurrent use; entries are independent.
 */
import { createRequire } from 'node:module';
import { CertdeskError } from '../errors.ts';

export interface SecretStore {
  /** Reads one entry; `null` when there is none. */
  get(account: string): Promise<string | null>;
  /** Creates or replaces one entry. */
  set(account: string, secret: string): Promise<void>;
  /** Deletes one entry; false when there was none. */
  delete(account: string): Promise<boolean>;
  /** Account names that start with `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** Largest secret, in UTF-8 bytes, one entry can hold on this platform. */
  readonly maxSecretBytes: number;
}

/** The subset of keytar Certdesk uses. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** Windows Credential Manager holds at most 2,560 bytes per credential. */
export const WINDOWS_MAX_SECRET_BYTES = 2560;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Default bound on one keychain call. */
export const KEYCHAIN_TIMEOUT_MS = 10_000;

function classify(error: unknown, operation: string): CertdeskError {
  const text = error instanceof Error ? error.message : String(error);
  const locked = /locked|unlock|prompt.*dismissed/i.test(text);
  return new CertdeskError({
    code: locked ? 'keychain-locked' : 'keychain-unavailable',
    message: locked
      ? `The OS keychain is locked, so Certdesk could not ${operation}. Unlock it and try again.`
      : `The OS keychain is not available, so Certdesk could not ${operation} (${text.slice(0, 200)}). Certdesk keeps secrets only there; start or unlock your keyring and try again.`,
    detail: text.slice(0, 500),
    retryable: true,
    cause: error,
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new CertdeskError({
          code: 'keychain-timeout',
          message: `The OS keychain did not answer within ${Math.round(ms / 1000)} s, so Certdesk could not ${operation}. It may be waiting for an unlock prompt; unlock it and try again.`,
          retryable: true,
        }),
      );
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(classify(error, operation));
      },
    );
  });
}

/** Loads keytar's native module; a build that cannot load reads as "keychain unavailable". */
export function loadKeytar(): KeytarLike {
  try {
    const require = createRequire(import.meta.url);
    const loaded = require('keytar') as KeytarLike & { default?: KeytarLike };
    return loaded.default ?? loaded;
  } catch (error) {
    throw classify(error, 'load the keychain library');
  }
}

export interface KeytarStoreOptions {
  /** Keychain service name; one per Certdesk installation so two data folders never mix. */
  service: string;
  keytar?: KeytarLike;
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** A SecretStore on the OS keychain through keytar, every call bounded in time. */
export function createKeytarStore(options: KeytarStoreOptions): SecretStore {
  const ms = options.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  const { service } = options;
  let keytar = options.keytar;
  const lib = (): KeytarLike => (keytar ??= loadKeytar());
  const platform = options.platform ?? process.platform;
  return {
    maxSecretBytes: platform === 'win32' ? WINDOWS_MAX_SECRET_BYTES : UNBOUNDED,
    get: (account) =>
      withTimeout(
        Promise.resolve().then(() => lib().getPassword(service, account)),
        ms,
        'read a secret',
      ),
    set: (account, secret) =>
      withTimeout(
        Promise.resolve().then(() => lib().setPassword(service, account, secret)),
        ms,
        'store a secret',
      ),
    delete: (account) =>
      withTimeout(
        Promise.resolve().then(() => lib().deletePassword(service, account)),
        ms,
        'delete a secret',
      ),
    list: async (prefix) => {
      const all = await withTimeout(
        Promise.resolve().then(() => lib().findCredentials(service)),
        ms,
        'list secrets',
      );
      return all.map((c) => c.account).filter((account) => account.startsWith(prefix));
    },
  };
}
