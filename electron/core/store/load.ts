/**
 * Reading one candidate store file (the data file or its backup) into a validated document of the
 * current schema version, migrating older versions. Reading never changes a file.
 */
import fsp from 'node:fs/promises';

import { CertdeskError } from '../errors.ts';
import { hasCode, osMessage, storeFailed } from './durable-fs.ts';

/** Upgrades a document of version N-1 to version N (keyed by N). */
export type Migration = (data: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a store document must satisfy, at which version, and how older versions catch up. */
export interface DocumentSchema<T extends { version: number }> {
  /** The version this build writes; documents above it are refused. */
  schemaVersion: number;
  /** Migration N upgrades a version N-1 document to N; every step up to schemaVersion must exist. */
  migrations: Record<number, Migration>;
  /** Returns the document when it is valid (possibly normalized); throws when it is not. */
  validate: (data: unknown) => T;
}

/** The outcome of reading one candidate file. */
export type Candidate<T> =
  | { kind: 'missing' }
  /** The file exists but cannot be used; `reason` completes "Certdesk could not read it (...)". */
  | { kind: 'bad'; reason: string }
  /** A valid current-version document; `bytes` is the file as read, `fromVersion` its version. */
  | { kind: 'good'; data: T; bytes: Buffer; fromVersion: number };

/**
 * Reads `path` and classifies it. Rejects, touching nothing, with 'store-newer-version' when the
 * document is newer than `schema.schemaVersion`, with 'store-migration-failed' when a migration
 * is missing or throws (a defect of this build, not of the file), and with 'store-failed' when
 * the OS refuses the read.
 */
export async function loadCandidate<T extends { version: number }>(
  path: string,
  schema: DocumentSchema<T>,
): Promise<Candidate<T>> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return { kind: 'missing' };
    throw storeFailed('read', path, error);
  }
  const parsed = parseDocument(bytes);
  if (typeof parsed === 'string') return { kind: 'bad', reason: parsed };
  const fromVersion = parsed.version as number;
  if (fromVersion > schema.schemaVersion) throw newerVersion(path, fromVersion, schema);
  const current = migrate(parsed, fromVersion, schema, path);
  try {
    return { kind: 'good', data: schema.validate(current), bytes, fromVersion };
  } catch (error) {
    return { kind: 'bad', reason: `it does not match the expected layout: ${osMessage(error)}` };
  }
}

/**
 * The JSON object in `bytes` with a positive integer `version`, or a reason it is unusable:
 * empty, NUL bytes (what a power loss often leaves), not JSON, not an object, no version.
 */
export function parseDocument(bytes: Buffer): Record<string, unknown> | string {
  // Decoded once: a 10,000-template file is ~8 MB, and each decoding costs a copy of it.
  const text = bytes.toString('utf8');
  if (!/\S/.test(text)) return 'it is empty';
  if (bytes.includes(0)) return 'it contains NUL bytes, as a crash or power loss can leave';
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return `it is not valid JSON: ${osMessage(error)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'it does not hold a Certdesk document';
  }
  const version = (value as { version?: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return 'it has no valid data version';
  }
  return value as Record<string, unknown>;
}

// Steps run in order on the freshly parsed object; each result gets `version` = its step.
function migrate<T extends { version: number }>(
  document: Record<string, unknown>,
  fromVersion: number,
  schema: DocumentSchema<T>,
  path: string,
): unknown {
  let current: unknown = document;
  for (let version = fromVersion + 1; version <= schema.schemaVersion; version += 1) {
    const step = schema.migrations[version];
    try {
      if (!step) throw new Error(`no migration to version ${version} exists`);
      const next: unknown = step(current);
      if (typeof next !== 'object' || next === null) throw new Error('it returned no document');
      current = { ...next, version };
    } catch (error) {
      throw new CertdeskError({
        code: 'store-migration-failed',
        step: 'store',
        message: `Could not upgrade the Certdesk data file ${path} from data version ${version - 1} to ${version}: ${osMessage(error)}. The file was left untouched.`,
        cause: error,
      });
    }
  }
  return current;
}

function newerVersion<T extends { version: number }>(
  path: string,
  found: number,
  schema: DocumentSchema<T>,
): CertdeskError {
  return new CertdeskError({
    code: 'store-newer-version',
    step: 'store',
    message: `The Certdesk data file ${path} has data version ${found}, written by a newer Certdesk; this Certdesk reads data version ${schema.schemaVersion} at most. Open it with a Certdesk that supports data version ${found}; the file was left untouched.`,
  });
}
