/**
 * The stored document: what Certdesk keeps in its lowdb file. Records here are the store's
 * shape, not the wire shape (shared/types.ts holds the views). No secret or key material is
 * ever part of it: keychain entries are referenced by account name only.
 *
 * Unknown fields are kept (loose objects), so a file written by a newer minor version reads
 * without losing them; missing required fields make the file invalid.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { CA_PRESETS, TSIG_ALGORITHMS } from '../../shared/settings.ts';
import { defaultSettings, type SettingsView } from '../../shared/settings.ts';
import {
  KEY_TYPES,
  type AuditEntry,
  type CertificateView,
  type FindingView,
  type LifecycleStep,
  type SiteView,
  type TemplateView,
} from '../../shared/types.ts';

/** Current schema version; bump it with a migration in MIGRATIONS. */
export const SCHEMA_VERSION = 3;

const str = v.string();
const optStr = v.optional(v.string());

const challengeRecordSchema = v.looseObject({
  base: str,
  name: str,
  value: str,
  ttl: v.number(),
});

const failureSchema = v.looseObject({
  code: str,
  message: str,
  step: optStr,
  name: optStr,
  at: str,
  nextAttemptAt: optStr,
});

const templateSchema = v.looseObject({
  id: str,
  commonName: str,
  altNames: v.array(str),
  country: optStr,
  locality: optStr,
  organization: optStr,
  keyType: v.picklist(KEY_TYPES),
  createdAt: str,
  status: v.picklist(['pending', 'issued', 'failed']),
  step: optStr,
  challengeRecords: v.array(challengeRecordSchema),
  failure: v.optional(failureSchema),
  /** Keychain account names holding this template's secrets (keys, acme-dns credentials). */
  secretRefs: v.array(str),
  certificates: v.array(
    v.looseObject({
      id: str,
      serial: str,
      notAfter: str,
      chainPem: str,
      keyRef: str,
      orderUrl: str,
    }),
  ),
  attempt: v.optional(
    v.looseObject({
      id: str,
      startedAt: str,
      step: str,
      published: v.array(v.looseObject({ fqdn: str, value: str })),
    }),
  ),
  checks: v.looseObject({ since: str, findings: v.array(v.looseObject({ name: str, kind: str })) }),
  failures: v.number(),
  audit: v.array(v.looseObject({ at: str, outcome: str, message: str })),
});
// The schemas check shape; the TypeScript types below are the authoritative record types.

const settingsSchema = v.looseObject({
  ca: v.looseObject({
    preset: v.picklist(CA_PRESETS),
    directoryUrl: str,
    email: optStr,
    eabKeyId: optStr,
    eabHmacKeyStored: v.boolean(),
  }),
  dns: v.optional(
    v.variant('kind', [
      v.looseObject({
        kind: v.literal('rfc2136'),
        server: str,
        port: v.number(),
        zone: str,
        keyName: str,
        algorithm: v.picklist(TSIG_ALGORITHMS),
        secretStored: v.boolean(),
      }),
      v.looseObject({ kind: v.literal('acme-dns'), serverUrl: str }),
    ]),
  ),
  resolver: v.variant('kind', [
    v.looseObject({ kind: v.literal('system') }),
    v.looseObject({ kind: v.literal('custom'), host: str, port: v.number() }),
  ]),
});

const accountSchema = v.looseObject({ directoryUrl: str, keyRef: str, accountUrl: optStr });

const siteSchema = v.looseObject({
  id: str,
  name: str,
  hosts: v.array(str),
  port: v.number(),
  folder: str,
  pfx: v.boolean(),
  templateIds: v.array(str),
});

const documentSchema = v.looseObject({
  version: v.number(),
  /** Names this installation's keychain service, so two data folders never share entries. */
  installationId: str,
  settings: settingsSchema,
  templates: v.array(templateSchema),
  accounts: v.array(accountSchema),
  sites: v.array(siteSchema),
});

/** An issued certificate as stored: public facts and chain, and where its key is. */
export interface StoredCertificate extends CertificateView {
  /** PEM chain, leaf first. Public data. */
  chainPem: string;
  /** Keychain account of the private key. */
  keyRef: string;
  orderUrl: string;
}

/**
 * An issuance in flight. Each field is saved before the step that needs it runs, so a restart
 * resumes the same order: the key exists before the CSR leaves, the order URL before any
 * challenge is answered, and every TXT value before it is published.
 */
export interface IssuanceAttempt {
  id: string;
  startedAt: string;
  step: LifecycleStep;
  keyRef?: string;
  orderUrl?: string;
  /** The ACME profile the order was created with. */
  profile?: string;
  /** TXT values this attempt published (or is about to): removed on every path. */
  published: { fqdn: string; value: string }[];
}

/** The CNAME checks of a template waiting for its records. */
export interface CheckState {
  /** Start of the current checking period (creation or the last Retry Generate). */
  since: string;
  lastAt?: string;
  findings: FindingView[];
}

/** What the CA said about renewing the latest certificate (RFC 9773), and recent failures. */
export interface RenewalState {
  /** ARI identifier of the latest certificate. */
  certId?: string;
  /** Whether the CA's directory offers renewalInfo. */
  ariOffered?: boolean;
  ari?: { windowStart: string; windowEnd: string; selectedAt?: string };
  /** When to ask the CA again. */
  ariNextAt?: string;
  lastFailureAt?: string;
  rateLimited?: boolean;
}

/** A stored template: its view plus what only main may see. */
export interface TemplateRecord extends TemplateView {
  /** Keychain account names holding this template's secrets (keys, acme-dns credentials). */
  secretRefs: string[];
  /** Newest last. */
  certificates: StoredCertificate[];
  attempt?: IssuanceAttempt;
  checks: CheckState;
  /** Consecutive failed attempts, for the backoff table. */
  failures: number;
  /** Newest last, capped. */
  audit: AuditEntry[];
  /** The CA asked us not to try before this time (Retry-After on a rate limit). */
  notBefore?: string;
  renewal?: RenewalState;
}

/** A site as stored: its view plus the keychain account of its PFX password. */
export interface SiteRecord extends SiteView {
  pfxPasswordRef?: string;
}

/** The ACME account of one CA directory; its key lives in the keychain. */
export interface AccountRecord {
  directoryUrl: string;
  keyRef: string;
  accountUrl?: string;
}

/** Stored settings hold no secrets, only "stored in the keychain" flags, so they are the view. */
export type StoredSettings = SettingsView;

export interface StoreDocument {
  version: number;
  installationId: string;
  settings: StoredSettings;
  templates: TemplateRecord[];
  accounts: AccountRecord[];
  sites: SiteRecord[];
}

/**
 * Template objects that passed validation. The store copies on write (store/drafts.ts) and
 * never changes an object it holds, so a template that passed once is the same valid template
 * when a later document still holds that very object: only new or changed templates are
 * checked again. With 10,000 templates that makes a saved step cost one template's check
 * instead of every template's.
 */
const validTemplates = new WeakSet<object>();

/**
 * Checks `data` against the schema and returns it unchanged (unknown fields included) when it
 * passes; throws a readable error naming the first bad field when it does not. Template
 * objects that passed before are not checked again (see validTemplates): never change an
 * object the store holds.
 */
export function validateDocument(data: unknown): StoreDocument {
  const templates = (data as { templates?: unknown } | null)?.templates;
  const known = (t: unknown) => typeof t === 'object' && t !== null && validTemplates.has(t);
  const subject =
    Array.isArray(templates) && templates.some(known)
      ? { ...(data as object), templates: templates.filter((t) => !known(t)) }
      : data;
  let result = v.safeParse(documentSchema, subject);
  if (result.success) {
    if (Array.isArray(templates)) for (const t of templates) validTemplates.add(t as object);
    return data as StoreDocument;
  }
  if (subject !== data) result = v.safeParse(documentSchema, data); // the issue's real path
  const issue = result.issues?.[0];
  const where = issue ? (v.getDotPath(issue) ?? 'document') : 'document';
  throw new Error(
    `the store file is not valid at ${where}: ${issue?.message ?? 'unknown problem'}`,
  );
}

/**
 * Migrations by target version: MIGRATIONS[n] turns a version n-1 document into version n.
 * Version 1 is the first; the table grows with the schema.
 */
export const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> =
  {};

/** An empty document for a new data folder. */
export function newDocument(): StoreDocument {
  return {
    version: SCHEMA_VERSION,
    installationId: randomUUID(),
    settings: defaultSettings(),
    templates: [],
    accounts: [],
    sites: [],
  };
}

/** The fields every new template record starts with, at Pending Verification. */
export function newTemplateFields(
  createdAt: string,
): Pick<
  TemplateRecord,
  'createdAt' | 'status' | 'step' | 'secretRefs' | 'certificates' | 'checks' | 'failures' | 'audit'
> {
  return {
    createdAt,
    status: 'pending',
    step: 'waiting-for-cname',
    secretRefs: [],
    certificates: [],
    checks: { since: createdAt, findings: [] },
    failures: 0,
    audit: [
      { at: createdAt, step: 'waiting-for-cname', outcome: 'info', message: 'Template created' },
    ],
  };
}
