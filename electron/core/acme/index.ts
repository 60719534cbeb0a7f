/**
 * The ACME layer the lifecycle engine calls: keys, CSRs, issued-certificate checks, the
 * classification of CA errors, the retry table, and sessions against an RFC 8555 CA. Every
 * failure is a CertdeskError; those from the CA are AcmeErrors with the CA's problem kept.
 */
export {
  ACCOUNT_KEY_TYPE,
  generateKeyPem,
  generateKeyPemAsync,
  keyTypeFits,
  keyTypeRefusal,
  MAX_PEM_BYTES,
  publicKeyOf,
  publicKeysEqual,
} from './keys.ts';
export { createCsr, csrNames, type CsrSubject } from './csr.ts';
export {
  describeCertificate,
  splitChain,
  verifyIssuedCertificate,
  type CertificateDescription,
  type IssuedCertificateCheck,
} from './certificate.ts';
export {
  acmeError,
  AcmeCallError,
  AcmeError,
  classifyAcmeError,
  parseRetryAfter,
  problemFromAnswer,
  problemFromDocument,
  shortType,
  type AcmeClassification,
  type AcmeErrorCode,
  type AcmeErrorContext,
  type AcmeIdentifier,
  type AcmeProblem,
  type AcmeSubproblem,
  type NetworkFailure,
} from './problems.ts';
export {
  BACKOFF_TABLE_MS,
  baseDelayMs,
  JITTER,
  MAX_RATE_LIMIT_DELAY_MS,
  MAX_TRANSIENT_DELAY_MS,
  nextAttemptAt,
  type BackoffInput,
} from './backoff.ts';
export {
  AcmeSession,
  openAcmeSession,
  type AcmeSessionOptions,
  type AuthorizationStatus,
  type ChallengeStatus,
  type CreateOrderOptions,
  type DnsChallenge,
  type OrderSnapshot,
  type OrderStatus,
} from './session.ts';
export { installAcmeTransport, REQUEST_TIMEOUT_MS } from './transport.ts';
