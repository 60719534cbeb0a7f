/**
 * ACME Renewal Information (RFC 9773): the certificate identifier a CA knows a certificate by
 * (§4.1), and the CA's suggested renewal window for it (§4.2). The renewalInfo resource is
 * plain unauthenticated GET, so it is fetched here with node:https rather than through the
 * account's ACME session: over verified TLS with Node's trust store (its bundled roots plus
 * NODE_EXTRA_CA_CERTS, the same trust the ACME transport uses), no redirects, a deadline per
 * request and a size limit on answers.
 */
import { X509Certificate } from 'node:crypto';
import { CertdeskError } from '../errors.ts';
import { AcmeError, parseRetryAfter } from '../acme/problems.ts';
import type { AcmeSession, CreateOrderOptions, OrderSnapshot } from '../acme/session.ts';
import type { Logger } from '../log.ts';
import { certIdFields } from './der.ts';
import { httpsGet, type HttpAnswer } from './https-get.ts';

/** Deadline of one renewalInfo or directory request. */
export const ARI_TIMEOUT_MS = 15_000;
/** A renewalInfo Retry-After is clamped to this range after the answer (RFC 9773 §4.3). */
export const ARI_RETRY_AFTER_RANGE_MS = { min: 60_000, max: 24 * 3_600_000 } as const;

/**
 * The ARI CertID of raw fields: base64url(keyIdentifier) "." base64url(serial), no padding.
 * `serial` is the DER INTEGER's content bytes, with the leading zero byte the DER holds.
 */
export function encodeCertId(keyIdentifier: Uint8Array, serial: Uint8Array): string {
  return `${Buffer.from(keyIdentifier).toString('base64url')}.${Buffer.from(serial).toString('base64url')}`;
}

/**
 * The ARI CertID (RFC 9773 §4.1) of the first certificate in `leafPem` (a leaf, or a chain
 * with the leaf first). Throws CertdeskError 'ari-cert-id-unavailable' when the text holds no
 * readable certificate or the certificate has no Authority Key Identifier keyIdentifier.
 */
export function ariCertId(leafPem: string): string {
  let fields: ReturnType<typeof certIdFields>;
  try {
    fields = certIdFields(new X509Certificate(leafPem).raw);
  } catch (error) {
    throw certIdError('the text is not a readable PEM certificate', error);
  }
  if (!fields.keyIdentifier) {
    throw certIdError('the certificate has no Authority Key Identifier with a keyIdentifier');
  }
  return encodeCertId(fields.keyIdentifier, fields.serial);
}

function certIdError(why: string, cause?: unknown): CertdeskError {
  return new CertdeskError({
    code: 'ari-cert-id-unavailable',
    message: `Certdesk cannot name this certificate to the CA for renewal information: ${why}. It renews by the certificate's lifetime instead.`,
    step: 'renewal',
    cause,
  });
}

/** The CA's suggested renewal window for one certificate. */
export interface RenewalInfo {
  windowStart: Date;
  windowEnd: Date;
  /** A page where the CA explains an unusual window (`explanationURL`). */
  explanationUrl?: string;
  /** When to ask again: the answer's Retry-After, clamped to 1 minute … 1 day after it. */
  retryAfter?: Date;
}

/**
 * What fetchRenewalInfo found: a usable window, or null and the reason there is none (the CA
 * offers no renewalInfo, does not know the certificate, or sent an invalid window, which RFC
 * 9773 §4.2 says to treat as no answer). `retryAfter` is kept with a null answer too.
 * `offered` says whether the CA's directory has renewalInfo at all: send `replaces` in renewal
 * orders only when it does.
 */
export type RenewalInfoResult =
  | { info: RenewalInfo; offered: true }
  | { info: null; offered: boolean; reason: string; retryAfter?: Date };

/** Options of fetchRenewalInfo. */
export interface FetchRenewalInfoOptions {
  /** Deadline of each request; default {@link ARI_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * Reads `renewalInfo` from the CA's directory and GETs `<renewalInfo>/<certId>` (RFC 9773
 * §4.1, unauthenticated). Resolves with the window, or `info: null` and a reason (see
 * RenewalInfoResult). A network or TLS failure, a timeout, a non-HTTPS URL or an HTTP error
 * other than 404 throws CertdeskError 'ari-unavailable' (retryable: try again later, keep the
 * stored window). Does not retry; the caller schedules the next check.
 */
export async function fetchRenewalInfo(
  directoryUrl: string,
  certId: string,
  options: FetchRenewalInfoOptions = {},
): Promise<RenewalInfoResult> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(certId)) {
    throw unavailable(`"${certId.slice(0, 80)}" is not an ARI certificate identifier`);
  }
  const timeoutMs = options.timeoutMs ?? ARI_TIMEOUT_MS;
  const directory = await get(directoryUrl, timeoutMs, 'the ACME directory');
  if (directory.status !== 200)
    throw unavailable(`the directory answered HTTP ${directory.status}`);
  const base = jsonOf(directory)?.renewalInfo;
  if (typeof base !== 'string' || base === '') {
    const reason = `The CA's directory (${directoryUrl}) offers no renewalInfo.`;
    return { info: null, offered: false, reason };
  }
  const url = `${base.replace(/\/+$/, '')}/${certId}`;
  const answer = await get(url, timeoutMs, 'renewalInfo');
  const retryAfter = retryAfterOf(answer);
  const keep = retryAfter ? { retryAfter } : {};
  if (answer.status === 404) {
    return {
      info: null,
      offered: true,
      reason: `The CA has no renewal information for ${certId} (HTTP 404).`,
      ...keep,
    };
  }
  if (answer.status !== 200) throw unavailable(`${url} answered HTTP ${answer.status}`);
  return windowOf(jsonOf(answer), url, keep);
}

function windowOf(
  body: Record<string, unknown> | undefined,
  url: string,
  keep: { retryAfter?: Date },
): RenewalInfoResult {
  const window = body?.suggestedWindow as Record<string, unknown> | undefined;
  const start = dateOf(window?.start);
  const end = dateOf(window?.end);
  if (!start || !end) {
    return {
      info: null,
      offered: true,
      reason: `The CA's answer at ${url} has no readable suggestedWindow.`,
      ...keep,
    };
  }
  if (end.getTime() <= start.getTime()) {
    const reason = `The CA's window at ${url} ends (${end.toISOString()}) before it starts (${start.toISOString()}); it is invalid and ignored (RFC 9773 §4.2).`;
    return { info: null, offered: true, reason, ...keep };
  }
  const info: RenewalInfo = { windowStart: start, windowEnd: end, ...keep };
  const explanation = body?.explanationURL;
  if (typeof explanation === 'string' && /^https?:\/\//.test(explanation)) {
    info.explanationUrl = explanation;
  }
  return { info, offered: true };
}

/** RFC 3339 timestamps only; anything else (numbers, free text) is unreadable. */
function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

function retryAfterOf(answer: HttpAnswer): Date | undefined {
  const ms = parseRetryAfter(answer.headers['retry-after'], answer.receivedAt);
  if (ms === undefined) return undefined;
  const { min, max } = ARI_RETRY_AFTER_RANGE_MS;
  return new Date(answer.receivedAt.getTime() + Math.min(Math.max(ms, min), max));
}

function jsonOf(answer: HttpAnswer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(answer.body) as unknown;
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function get(url: string, timeoutMs: number, what: string): Promise<HttpAnswer> {
  if (!url.startsWith('https://')) throw unavailable(`${what} URL ${url} is not HTTPS`);
  try {
    return await httpsGet(url, timeoutMs);
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    const said = typeof e.message === 'string' ? e.message : String(error);
    throw unavailable(`fetching ${what} at ${url} failed: ${said}`, error);
  }
}

function unavailable(why: string, cause?: unknown): CertdeskError {
  return new CertdeskError({
    code: 'ari-unavailable',
    message: `Certdesk could not read the CA's renewal information: ${why}. It keeps the last known renewal time and asks again later.`,
    step: 'renewal',
    retryable: true,
    cause,
  });
}

/** What createRenewalOrder placed. */
export interface RenewalOrder {
  order: OrderSnapshot;
  /** The CertID sent as `replaces`, or undefined when the order went without it. */
  replaced: string | undefined;
}

/**
 * Creates the order of a renewal (RFC 9773 §5): with `replaces` = the latest certificate's
 * CertID when given (LE then exempts it from rate limits), and the template's profile kept.
 * When the CA answers alreadyReplaced (AcmeError 'ca-already-replaced': another order already
 * names that certificate), it orders once more without `replaces`, as certmagic and acmez do;
 * every other failure is thrown as the session classified it.
 */
export async function createRenewalOrder(
  session: Pick<AcmeSession, 'createOrder'>,
  identifiers: string[],
  options: CreateOrderOptions & { logger: Logger },
): Promise<RenewalOrder> {
  const { logger, ...wanted } = options;
  try {
    return { order: await session.createOrder(identifiers, wanted), replaced: wanted.replaces };
  } catch (error) {
    if (!wanted.replaces || !(error instanceof AcmeError) || error.code !== 'ca-already-replaced') {
      throw error;
    }
    logger.warn('the CA says the certificate was already replaced; ordering without replaces', {
      replaces: wanted.replaces,
      caProblem: error.problemType,
    });
    const rest: CreateOrderOptions = { ...wanted };
    delete rest.replaces;
    return { order: await session.createOrder(identifiers, rest), replaced: undefined };
  }
}
