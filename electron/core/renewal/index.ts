/**
 * Renewal: when to renew a template's latest certificate (policy.ts, one pure decision with
 * its constants in timing.ts) and what the CA suggests about it through ACME Renewal
 * Information (ari.ts, RFC 9773). The lifecycle engine calls these; this folder holds no state
 * and starts no timers.
 */
export {
  decideRenewal,
  type AriWindowInput,
  type RenewalDecision,
  type RenewalInput,
  type RenewalReason,
} from './policy.ts';
export {
  ARI_RECHECK_MS,
  ARI_RETRY_AFTER_MAX_MS,
  EMERGENCY_MIN_REMAINING_MS,
  EMERGENCY_SHARE,
  EXPIRY_MARGIN_MIN_MS,
  EXPIRY_MARGIN_SHARE,
  JITTER_SHARE,
  RENEW_AT_SHARE,
  SHORT_LIFETIME_MS,
  SHORT_RENEW_AT_SHARE,
  stableRandom,
} from './timing.ts';
export {
  ARI_RETRY_AFTER_RANGE_MS,
  ARI_TIMEOUT_MS,
  ariCertId,
  createRenewalOrder,
  encodeCertId,
  fetchRenewalInfo,
  type FetchRenewalInfoOptions,
  type RenewalInfo,
  type RenewalInfoResult,
  type RenewalOrder,
} from './ari.ts';
