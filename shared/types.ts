/**
 * Domain types that cross the IPC boundary. These are views: what the renderer may see. Stored
 * records (electron/core/store) carry more, and never private keys or secrets.
 */

/** Key algorithms Certdesk generates; RFC 8555 CAs accept all of these. */
export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Labels for the key type picker. */
export const KEY_TYPE_LABELS: Record<KeyType, string> = {
  'ecdsa-p256': 'ECDSA P-256',
  'ecdsa-p384': 'ECDSA P-384',
  'rsa-2048': 'RSA 2048',
  'rsa-3072': 'RSA 3072',
  'rsa-4096': 'RSA 4096',
};

/** Template status as the administrator sees it (DESIGN.md section 3). */
export type TemplateStatus = 'pending' | 'issued' | 'failed';

/** The exact wording of each status, shared by the list, filters and tests. */
export const STATUS_LABELS: Record<TemplateStatus, string> = {
  pending: 'Pending Verification',
  issued: 'Latest Certificate',
  failed: 'Unable to Generate',
};

/**
 * Finer lifecycle steps behind Pending Verification. Issuance (a later issue) moves a template
 * through them; each maps onto one of the three status labels.
 */
export type LifecycleStep =
  | 'waiting-for-cname'
  | 'generating-key'
  | 'creating-order'
  | 'publishing-txt'
  | 'confirming-txt'
  | 'ca-validating'
  | 'finalizing'
  | 'downloading'
  | 'storing'
  | 'cleaning-up';

/** Words for each step, as the list shows them live. */
export const STEP_LABELS: Record<LifecycleStep, string> = {
  'waiting-for-cname': 'Waiting for CNAME',
  'generating-key': 'Generating key',
  'creating-order': 'Creating order',
  'publishing-txt': 'Publishing TXT',
  'confirming-txt': 'Confirming TXT',
  'ca-validating': 'CA validating',
  finalizing: 'Finalizing',
  downloading: 'Downloading certificate',
  storing: 'Storing certificate',
  'cleaning-up': 'Cleaning up',
};

/** Recommended TTL for the CNAME the administrator creates: at most one day. */
export const CHALLENGE_RECORD_TTL = 3600;

/** One CNAME the administrator creates, once, for a base name. */
export interface ChallengeRecord {
  /** Base name the record serves, A-label: `example.com` (for it and `*.example.com`). */
  base: string;
  /** Record name: `_acme-challenge.<base>`. */
  name: string;
  /** CNAME target inside the validation zone; stable for the life of the template. */
  value: string;
  /** Recommended TTL in seconds. */
  ttl: number;
}

/** Details of an issued certificate; no key material. */
export interface CertificateView {
  id: string;
  issuedAt: string;
  commonName: string;
  altNames: string[];
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  keyType: KeyType;
  /** The ACME profile the certificate was ordered with, if any. */
  profile?: string;
}

/** Why the last attempt failed, in words an administrator can act on. */
export interface FailureView {
  code: string;
  message: string;
  step?: LifecycleStep;
  name?: string;
  at: string;
  /** When Certdesk will try again by itself; absent when only Retry Generate will. */
  nextAttemptAt?: string;
}

/** A certificate template as the renderer sees it. */
export interface TemplateView {
  id: string;
  commonName: string;
  /** Alternative names (A-labels), the common name excluded. */
  altNames: string[];
  country?: string;
  locality?: string;
  organization?: string;
  keyType: KeyType;
  /** Renewals keep the same private key (an option; by default each renewal gets a new key). */
  reuseKey?: boolean;
  createdAt: string;
  status: TemplateStatus;
  /** The step in progress while Pending Verification. */
  step?: LifecycleStep;
  challengeRecords: ChallengeRecord[];
  latestCertificate?: CertificateView;
  failure?: FailureView;
  /** While Pending Verification: when the challenge records are checked next. */
  nextCheckAt?: string;
  /** With a latest certificate: when it will be renewed, and why then. */
  renewalPlan?: RenewalView;
  /**
   * With a latest certificate: a challenge record that no longer resolves as expected (found by
   * the daily re-check), which would make the next renewal fail.
   */
  cnameWarning?: string;
}

/** When and why the latest certificate is renewed (ARI window, share of lifetime, ...). */
export interface RenewalView {
  dueAt: string;
  reason: 'ari-window' | 'ari-window-passed' | 'lifetime-share' | 'emergency' | 'backoff';
  detail: string;
}

/** What a check of one challenge record found: expected vs found, for the DNS dialog. */
export type FindingKind =
  | 'ok'
  | 'missing'
  | 'wrong-target'
  | 'cname-loop'
  | 'chain-too-long'
  | 'txt-at-name'
  | 'caa-forbids'
  | 'dns-error';

export interface FindingView {
  /** The challenge record's name, `_acme-challenge.<base>`. */
  name: string;
  /** The CNAME value expected there. */
  expected: string;
  kind: FindingKind;
  /** What DNS answered, in words ("no record", "CNAME to other.example."). */
  found?: string;
  /** The sentence to show: what is wrong and what to do. */
  message: string;
  checkedAt: string;
}

/** One line of a template's audit log. Never holds secrets. */
export interface AuditEntry {
  at: string;
  step?: LifecycleStep;
  outcome: 'info' | 'succeeded' | 'failed';
  message: string;
}

/** Everything the template's detail view shows. */
export interface TemplateDetails {
  template: TemplateView;
  /** The latest check of each challenge record. */
  findings: FindingView[];
  /** Every certificate of the template, newest first. */
  certificates: CertificateView[];
  /** Newest first. */
  audit: AuditEntry[];
}

/** Something the administrator must hear about at start-up, such as a restored store. */
export interface NoticeView {
  id: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  at: string;
}

/** One host's answer after a deployment: is it serving the certificate just deployed? */
export interface LiveCheckView {
  host: string;
  port: number;
  status: 'serving-latest' | 'serving-other' | 'unreachable' | 'tls-error';
  message: string;
}

/** What the last deployment to a site did. */
export interface DeploymentView {
  at: string;
  templateId: string;
  certificateSerial: string;
  ok: boolean;
  /** Why it failed, when it did. */
  error?: string;
  files: string[];
  postDeploy?: { exitCode: number | null; timedOut: boolean; output: string };
  liveChecks: LiveCheckView[];
}

/** A site: named HTTPS hosts and the folder their certificates are deployed to. */
export interface SiteView {
  id: string;
  name: string;
  hosts: string[];
  /** TLS port the live check connects to. */
  port: number;
  folder: string;
  /** Also write certificate.pfx (its password is kept in the keychain). */
  pfx: boolean;
  /** Program and arguments run after each deployment (no shell), e.g. reloading nginx. */
  postDeploy?: string[];
  templateIds: string[];
  lastDeployment?: DeploymentView;
}
