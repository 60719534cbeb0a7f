/**
 * ACME problem documents (RFC 8555 §6.7, RFC 7807) as the CA sent them, and the error that
 * carries one out of an acme-client call. acme-client keeps only the problem's detail text, so
 * the transport (transport.ts) reads the HTTP answer itself and builds these.
 */

/** Prefix of every RFC 8555 error type. */
export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

/** An ACME identifier (RFC 8555 §7.1.3); Certdesk only orders type 'dns'. */
export interface AcmeIdentifier {
  type: string;
  value: string;
}

/** One entry of a problem's `subproblems` (RFC 8555 §6.7.1). */
export interface AcmeSubproblem {
  type: string;
  detail: string;
  identifier?: AcmeIdentifier;
}

/** A problem document, with the HTTP facts that came with it. */
export interface AcmeProblem {
  /** Full type URI, e.g. `urn:ietf:params:acme:error:rateLimited`; 'about:blank' when absent. */
  type: string;
  /** HTTP status of the answer, or the document's own `status` member. */
  status?: number;
  /** The CA's explanation, as sent ('' when it sent none). */
  detail: string;
  /** A URL with more information or an action for a person (e.g. userActionRequired). */
  instance?: string;
  subproblems: AcmeSubproblem[];
  /** Retry-After in milliseconds from when the answer arrived; absent when missing or invalid. */
  retryAfterMs?: number;
  /** The CA's terms of service, from a `Link: <...>;rel="terms-of-service"` header. */
  termsOfServiceUrl?: string;
}

/** A request that got no HTTP answer at all (refused, reset, timed out, TLS failure). */
export interface NetworkFailure {
  /** Node's or axios' error code, e.g. ECONNREFUSED, ETIMEDOUT, UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  code: string;
  message: string;
}

/**
 * What an acme-client call threw, with the problem document or network failure of the HTTP
 * answer that made it fail, when there was one. `message` is acme-client's own text; `cause`
 * is acme-client's error.
 */
export class AcmeCallError extends Error {
  readonly problem: AcmeProblem | undefined;
  readonly network: NetworkFailure | undefined;

  constructor(
    message: string,
    found: { problem?: AcmeProblem; network?: NetworkFailure },
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AcmeCallError';
    this.problem = found.problem;
    this.network = found.network;
  }
}

/** The type without the RFC 8555 prefix: `rateLimited`; other URIs are returned whole. */
export function shortType(type: string): string {
  return type.startsWith(ACME_ERROR_PREFIX) ? type.slice(ACME_ERROR_PREFIX.length) : type;
}

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * Parses a Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the
 * wait in milliseconds from `now`, or undefined for a missing, malformed, zero, negative or
 * past value (there is nothing to wait for). No upper clamp here; backoff.ts clamps.
 */
export function parseRetryAfter(value: unknown, now: Date = new Date()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const trimmed = String(text).trim();
  if (/^\d{1,10}$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds > 0 ? seconds * 1000 : undefined;
  }
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return undefined;
  const ms = at - now.getTime();
  return ms > 0 ? ms : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function identifierOf(value: unknown): AcmeIdentifier | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const ident = text(v.value);
  return ident === undefined ? undefined : { type: text(v.type) ?? 'dns', value: ident };
}

function subproblemsOf(value: unknown): AcmeSubproblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const e = entry as Record<string, unknown>;
    const identifier = identifierOf(e.identifier);
    const sub: AcmeSubproblem = {
      type: text(e.type) ?? 'about:blank',
      detail: text(e.detail) ?? '',
    };
    return [identifier ? { ...sub, identifier } : sub];
  });
}

/**
 * Reads a problem document (a CA's error body, or the `error` member of an order, an
 * authorization's challenge). Returns undefined when `doc` is not an object with a `type`.
 * `status` (the HTTP status) wins over the document's own `status` member.
 */
export function problemFromDocument(doc: unknown, status?: number): AcmeProblem | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Record<string, unknown>;
  const type = text(d.type);
  if (type === undefined) return undefined;
  const problem: AcmeProblem = {
    type,
    detail: text(d.detail) ?? '',
    subproblems: subproblemsOf(d.subproblems),
  };
  const own = typeof d.status === 'number' ? d.status : undefined;
  if (status !== undefined || own !== undefined) problem.status = status ?? own;
  const instance = text(d.instance);
  if (instance !== undefined) problem.instance = instance;
  return problem;
}

/** The URL of `Link: <url>;rel="<rel>"`, from a header that may hold several links. */
export function linkWithRel(header: unknown, rel: string): string | undefined {
  const values = Array.isArray(header) ? header : [header];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    for (const link of value.split(/,\s*(?=<)/)) {
      const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(link);
      if (m && new RegExp(`rel\\s*=\\s*"?${rel}"?(\\s|;|$)`, 'i').test(m[2] ?? '')) return m[1];
    }
  }
  return undefined;
}

/** An HTTP answer as the transport sees it; header names in lower case (as axios gives them). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
}

/**
 * The problem an HTTP answer carries: for status ≥ 400, the body's problem document (or, for a
 * body that is not one, type 'about:blank' with the HTTP status), plus Retry-After and the
 * terms-of-service link. Undefined for answers below 400.
 */
export function problemFromAnswer(
  answer: HttpAnswer,
  now: Date = new Date(),
): AcmeProblem | undefined {
  if (answer.status < 400) return undefined;
  const problem = problemFromDocument(answer.data, answer.status) ?? {
    type: 'about:blank',
    status: answer.status,
    detail: `HTTP ${answer.status}`,
    subproblems: [],
  };
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], now);
  if (retryAfterMs !== undefined) problem.retryAfterMs = retryAfterMs;
  const tos = linkWithRel(answer.headers.link, 'terms-of-service');
  if (tos !== undefined) problem.termsOfServiceUrl = tos;
  return problem;
}
