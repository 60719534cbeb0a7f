/**
 * Classifies whatever an ACME call threw into a CertdeskError with a stable code, following the
 * RFC 8555 error table of RELIABILITY.md §2 (A3). The message is a sentence for an
 * administrator: which step, which name, what the CA answered (problem type and detail), and
 * what to check. It never contains keys, JWS bodies or request headers: only the CA's own
 * words, names and URLs the CA sent.
 */
import { CertdeskError, isCertdeskError } from '../errors.ts';
import {
  AcmeCallError,
  shortType,
  type AcmeProblem,
  type NetworkFailure,
} from './problem-document.ts';
import { describeFailure, NEW_ORDER, RETRYABLE, type ClassifiedFailure } from './problem-rules.ts';

export {
  ACME_ERROR_PREFIX,
  AcmeCallError,
  parseRetryAfter,
  problemFromAnswer,
  problemFromDocument,
  shortType,
  type AcmeIdentifier,
  type AcmeProblem,
  type AcmeSubproblem,
  type NetworkFailure,
} from './problem-document.ts';

/** Stable codes of classified ACME failures; the UI and the retry decision key on these. */
export type AcmeErrorCode =
  | 'ca-rate-limited'
  | 'ca-paused'
  | 'ca-unavailable'
  | 'ca-tls-untrusted'
  | 'ca-bad-nonce'
  | 'ca-rejected-identifier'
  | 'ca-validation-failed'
  | 'ca-validation-timeout'
  | 'ca-bad-request'
  | 'ca-account'
  | 'ca-already-replaced'
  | 'ca-order-not-ready'
  | 'ca-no-dns-challenge'
  | 'ca-unexpected';

/** Where the failure happened, for the sentence and for rules that depend on it. */
export interface AcmeErrorContext {
  /** Lifecycle step (shared/types.ts LifecycleStep), e.g. 'creating-order'. */
  step: string;
  /** The identifier concerned, when the caller knows it; subproblems may name others. */
  name?: string;
  /** All identifiers of the order, when the call concerned all of them (newOrder). */
  names?: string[];
  /** True for newAccount/account requests: `unauthorized` then means an account problem. */
  accountRequest?: boolean;
  /** Clock for turning Retry-After into a reset time; default now. */
  now?: Date;
}

/**
 * A classified ACME failure. Besides CertdeskError's fields it keeps the CA's problem type and
 * HTTP status, how long the CA asked to wait, and whether the stored order is spent.
 */
export class AcmeError extends CertdeskError {
  declare readonly code: AcmeErrorCode;
  /** Short problem type (`rateLimited`), or the network error code; undefined when neither. */
  readonly problemType: string | undefined;
  readonly httpStatus: number | undefined;
  /** How long the CA asked Certdesk to wait (Retry-After), in ms from `now` of the context. */
  readonly retryAfterMs: number | undefined;
  /** When that wait ends (the rate limit's reset time), if the CA said. */
  readonly retryAt: Date | undefined;
  /** True when the order (or its authorizations) cannot succeed any more: order anew. */
  readonly newOrderNeeded: boolean;
  /** The problem as the CA sent it, for the log; may hold URLs, never key material. */
  readonly problem: AcmeProblem | undefined;

  constructor(f: ClassifiedFailure, context: AcmeErrorContext, cause: unknown) {
    super({
      code: f.code,
      message: f.message,
      step: context.step,
      name: f.name ?? context.name,
      detail: f.detail,
      retryable: f.retryable,
      cause,
    });
    this.name = 'AcmeError';
    this.problemType = f.problemType;
    this.httpStatus = f.httpStatus;
    this.retryAfterMs = f.retryAfterMs;
    const now = context.now ?? new Date();
    this.retryAt =
      f.retryAfterMs === undefined ? undefined : new Date(now.getTime() + f.retryAfterMs);
    this.newOrderNeeded = f.newOrderNeeded;
    this.problem = f.problem;
  }
}

/** Result of {@link classifyAcmeError}. */
export interface AcmeClassification {
  error: CertdeskError;
  /** Wait the CA asked for, in ms (Retry-After, or the reset time in a rate-limit detail). */
  retryAfterMs?: number;
  /** True when the stored order must be dropped and a new one created. */
  newOrderNeeded: boolean;
}

const NETWORK_CODES = /^(E[A-Z]+|ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)$/;

/** The network failure inside an axios-style error that got no HTTP answer, if it is one. */
function networkOf(error: unknown): NetworkFailure | undefined {
  if (error instanceof AcmeCallError) return error.network;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; message?: unknown; response?: unknown };
  if (e.response !== undefined || typeof e.code !== 'string' || !NETWORK_CODES.test(e.code)) {
    return undefined;
  }
  return { code: e.code, message: typeof e.message === 'string' ? e.message : e.code };
}

/**
 * Turns anything an ACME call threw into a CertdeskError (an {@link AcmeError} unless it was
 * already a CertdeskError, which is returned unchanged). Problem documents are classified by
 * type per RELIABILITY's RFC 8555 table, answers without one by HTTP status, failures without
 * an answer as network trouble, anything else as 'ca-unexpected'. Pure: no I/O.
 */
export function classifyAcmeError(error: unknown, context: AcmeErrorContext): AcmeClassification {
  if (error instanceof AcmeError) {
    return { error, retryAfterMs: error.retryAfterMs, newOrderNeeded: error.newOrderNeeded };
  }
  if (isCertdeskError(error)) return { error, newOrderNeeded: false };
  const problem = error instanceof AcmeCallError ? error.problem : undefined;
  const network = problem ? undefined : networkOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const failure = describeFailure({ problem, network, message }, context);
  const classified = new AcmeError(failure, context, error);
  const result: AcmeClassification = { error: classified, newOrderNeeded: failure.newOrderNeeded };
  if (failure.retryAfterMs !== undefined) result.retryAfterMs = failure.retryAfterMs;
  return result;
}

/**
 * An AcmeError for a failure Certdesk itself detected (a timeout while polling, a CA that
 * offers no dns-01 challenge), with the code's usual retry and new-order semantics unless
 * `extra` says otherwise. `message` must already be the administrator's sentence.
 */
export function acmeError(
  code: AcmeErrorCode,
  message: string,
  context: AcmeErrorContext,
  extra: { problem?: AcmeProblem; newOrderNeeded?: boolean; cause?: unknown } = {},
): AcmeError {
  const failure: ClassifiedFailure = {
    code,
    message,
    retryable: RETRYABLE[code],
    newOrderNeeded: extra.newOrderNeeded ?? NEW_ORDER.has(code),
  };
  if (extra.problem) {
    failure.problem = extra.problem;
    failure.problemType = shortType(extra.problem.type);
    failure.detail = `${failure.problemType}: ${extra.problem.detail}`;
  }
  return new AcmeError(failure, context, extra.cause);
}
