/**
 * When to renew a template's latest certificate, as ONE pure function (DESIGN.md §6; issue 4;
 * RELIABILITY.md §2 A4 and A6). No clock, no I/O, no state: the caller passes the time, the
 * stored ARI answer and selected time, the failure count and a source of randomness, and
 * stores what comes back (`selectedAt`). The precedence, first match wins:
 *
 * 1. Emergency floor: little lifetime left → renew now, whatever ARI says. An ARI time after
 *    the floor is cut back to the floor.
 * 2. ARI (RFC 9773 §4.2): a valid window (end > start) → a uniform random time inside it,
 *    chosen once and kept while it stays inside the window; a window wholly past → now. An
 *    invalid window is treated as no answer.
 * 3. Lifetime share: without ARI, when two thirds of the lifetime have passed (half for
 *    lifetimes under 10 days), moved earlier by up to 2 % of the lifetime.
 * 4. After failures, the retry table of acme/backoff.ts, capped so that the next attempt is
 *    never later than shortly before expiry. The CA's Retry-After only ever lengthens the wait
 *    and is honoured even past that cap: an earlier attempt would only be refused again.
 */
import { nextAttemptAt } from '../acme/backoff.ts';
import { CertdeskError } from '../errors.ts';
import {
  ARI_RECHECK_MS,
  ARI_RETRY_AFTER_MAX_MS,
  capitalize,
  clampUnit,
  describeSpan,
  iso,
  JITTER_SHARE,
  lifetimeOf,
  RENEW_AT_SHARE,
  SHORT_LIFETIME_MS,
  SHORT_RENEW_AT_SHARE,
  type Lifetime,
} from './timing.ts';

/** The CA's renewal window for the certificate (RFC 9773 §4.2), as stored from the last fetch. */
export interface AriWindowInput {
  windowStart: Date;
  windowEnd: Date;
  /** The time chosen inside the window earlier; kept while it is still inside the window. */
  selectedAt?: Date;
  /** The CA's explanation for an unusual window (e.g. a revocation incident). */
  explanationUrl?: string;
  /** When the CA asked to be asked again (Retry-After of the renewalInfo answer). */
  retryAfter?: Date;
}

/** What decideRenewal needs; all times are absolute. */
export interface RenewalInput {
  /** Validity of the latest certificate (RFC 5280 notBefore / notAfter). */
  notBefore: Date;
  notAfter: Date;
  now: Date;
  /** The stored ARI answer; absent when the CA has no renewalInfo or it could not be fetched. */
  ari?: AriWindowInput;
  /** Consecutive failed renewal attempts since the latest certificate was issued. */
  failures: number;
  /** When the last of those failed (default: now). */
  lastFailureAt?: Date;
  /** The CA's Retry-After of that failure, in ms from lastFailureAt; lengthens, never shortens. */
  retryAfterMs?: number;
  /** True when that failure was a rate limit: its Retry-After is then honoured up to 7 days. */
  rateLimited?: boolean;
  /**
   * Randomness in [0, 1), drawn once per call. Pass a stable value per certificate (for
   * example stableRandom of its fingerprint, timing.ts) so the jittered time does not move
   * between calls; the ARI time is stable anyway once `selectedAt` is stored.
   */
  random: () => number;
}

/** Why the renewal happens when it does; shown to the administrator and logged. */
export type RenewalReason =
  'ari-window' | 'ari-window-passed' | 'lifetime-share' | 'emergency' | 'backoff';

/** The decision: when to renew and why. */
export interface RenewalDecision {
  /** When to start the renewal; never before `now` (a past due time becomes now). */
  at: Date;
  reason: RenewalReason;
  /** The time chosen inside the ARI window: store it and pass it back as ari.selectedAt. */
  selectedAt?: Date;
  /** One sentence for the log and the UI, with the times that were compared. */
  detail: string;
  /** When to fetch renewalInfo again (at most a day ahead); absent without ARI or once expired. */
  recheckAriAt?: Date;
}

type Plan = Omit<RenewalDecision, 'recheckAriAt'>;

/**
 * Decides when to renew; see the module comment for the rules and timing.ts for the constants.
 * Pure and total for valid dates: throws CertdeskError 'renewal-invalid-input' only for an
 * invalid Date or a negative failure count. An empty validity (notAfter ≤ notBefore) renews now.
 */
export function decideRenewal(input: RenewalInput): RenewalDecision {
  assertInput(input);
  const life = lifetimeOf(input.notBefore, input.notAfter);
  const r = clampUnit(input.random());
  let plan = planOf(input, life, r);
  if (input.failures > 0) plan = withBackoff(input, life, plan, r);
  const decision: RenewalDecision = { ...plan };
  if (plan.at.getTime() < input.now.getTime()) {
    decision.at = input.now;
    decision.detail = `${plan.detail} Due since ${iso(plan.at)}, so it starts now.`;
  }
  const recheck = recheckAriAt(input);
  if (recheck) decision.recheckAriAt = recheck;
  return decision;
}

function assertInput(input: RenewalInput): void {
  const dates = [input.notBefore, input.notAfter, input.now, input.lastFailureAt];
  const ari = input.ari ? [input.ari.windowStart, input.ari.windowEnd] : [];
  const bad = [...dates, ...ari].some((d) => d !== undefined && !Number.isFinite(d.getTime()));
  if (bad || !(input.failures >= 0)) {
    throw new CertdeskError({
      code: 'renewal-invalid-input',
      message:
        'The renewal time cannot be decided: a certificate date, the clock or the ARI window is not a valid time, or the failure count is negative.',
    });
  }
}

/** Steps 1-3 of the module comment: the renewal time before any failure. */
function planOf(input: RenewalInput, life: Lifetime, r: number): Plan {
  const now = input.now.getTime();
  const left = `${describeSpan(life.end - now)} of the ${describeSpan(life.ms)} lifetime remain (expires ${iso(life.end)})`;
  if (life.ms <= 0) {
    return {
      at: input.now,
      reason: 'emergency',
      detail: `The certificate's validity is empty (notAfter ${iso(life.end)} is not after notBefore); renewing now.`,
    };
  }
  const floor = life.emergencyAt;
  const window = validWindow(input.ari);
  const selected = window ? selectedTime(input.ari as AriWindowInput, window, now, r) : undefined;
  const keep = selected === undefined ? {} : { selectedAt: new Date(selected) };
  if (now >= floor) {
    const ari = window ? ` The ARI window was ${iso(window.start)} to ${iso(window.end)}.` : '';
    return {
      at: input.now,
      reason: 'emergency',
      ...keep,
      detail: `Only ${left}, below the emergency floor of ${describeSpan(life.end - floor)}; renewing now.${ari}`,
    };
  }
  if (window && selected !== undefined) return ariPlan(input, window, selected, floor);
  const share = life.ms < SHORT_LIFETIME_MS ? SHORT_RENEW_AT_SHARE : RENEW_AT_SHARE;
  const point = life.start + share * life.ms;
  const at = point - r * JITTER_SHARE * life.ms;
  const ignored =
    input.ari && !window
      ? ` The CA's ARI window (${iso(input.ari.windowStart)} to ${iso(input.ari.windowEnd)}) ends before it starts and is ignored.`
      : '';
  const fraction = share === SHORT_RENEW_AT_SHARE ? 'half' : 'two thirds';
  return {
    at: new Date(at),
    reason: 'lifetime-share',
    detail: `No ARI window; ${fraction} of the ${describeSpan(life.ms)} lifetime pass at ${iso(new Date(point))}, and jitter moves the renewal ${describeSpan(point - at)} earlier, to ${iso(new Date(at))}.${ignored}`,
  };
}

interface Window {
  start: number;
  end: number;
}

/** The ARI window when it is valid (end after start, RFC 9773 §4.2); otherwise undefined. */
function validWindow(ari: AriWindowInput | undefined): Window | undefined {
  if (!ari) return undefined;
  const start = ari.windowStart.getTime();
  const end = ari.windowEnd.getTime();
  return end > start ? { start, end } : undefined;
}

/**
 * The stored selected time while it is inside the window; otherwise a new uniform random time
 * in the part of the window not yet passed (so a window learnt late still spreads renewals),
 * or in the whole window once it has passed.
 */
function selectedTime(ari: AriWindowInput, w: Window, now: number, r: number): number {
  const kept = ari.selectedAt?.getTime();
  if (kept !== undefined && Number.isFinite(kept) && kept >= w.start && kept < w.end) return kept;
  const from = now < w.end ? Math.max(w.start, now) : w.start;
  return Math.floor(from + r * (w.end - from));
}

function ariPlan(input: RenewalInput, w: Window, selected: number, floor: number): Plan {
  const now = input.now.getTime();
  const range = `${iso(new Date(w.start))} to ${iso(new Date(w.end))}`;
  const why = input.ari?.explanationUrl
    ? ` The CA explains it at ${input.ari.explanationUrl}.`
    : '';
  const selectedAt = new Date(selected);
  if (w.end <= now) {
    return {
      at: input.now,
      reason: 'ari-window-passed',
      selectedAt,
      detail: `The CA's ARI window (${range}) has passed; renewing now.${why}`,
    };
  }
  if (selected > floor) {
    const at = new Date(floor);
    return {
      at,
      reason: 'emergency',
      selectedAt,
      detail: `The CA's ARI window (${range}) suggests ${iso(selectedAt)}, after the emergency floor at ${iso(at)}; renewing at the floor instead.${why}`,
    };
  }
  return {
    at: selectedAt,
    reason: 'ari-window',
    selectedAt,
    detail: `Renewing at ${iso(selectedAt)}, the time chosen inside the CA's ARI window (${range}).${why}`,
  };
}

/** Step 4: the retry table after failures, kept before expiry; Retry-After only lengthens it. */
function withBackoff(input: RenewalInput, life: Lifetime, plan: Plan, r: number): Plan {
  const failedAt = input.lastFailureAt ?? input.now;
  const random = () => r;
  const table = nextAttemptAt({ failures: input.failures, now: failedAt, random }).getTime();
  let at = table;
  let note = `after ${input.failures} failed attempt(s), the last at ${iso(failedAt)}, the retry table waits until ${iso(new Date(table))}`;
  const cap = expiryCap(life, failedAt.getTime());
  if (cap !== undefined && at > cap) {
    at = cap;
    note += `, brought forward to ${iso(new Date(cap))} so attempts still fit before expiry at ${iso(life.end)}`;
  }
  if (input.retryAfterMs !== undefined) {
    const o = {
      failures: input.failures,
      now: failedAt,
      random,
      retryAfterMs: input.retryAfterMs,
      rateLimited: input.rateLimited === true,
    };
    const caWait = nextAttemptAt(o).getTime();
    if (caWait > table && caWait > at) {
      at = caWait;
      note += `; the CA asked to wait until ${iso(new Date(caWait))} (Retry-After), which is honoured`;
    }
  }
  if (at <= plan.at.getTime()) return plan;
  return {
    ...plan,
    at: new Date(at),
    reason: 'backoff',
    detail: `${capitalize(note)}. Before the failures: ${plan.detail}`,
  };
}

/**
 * The latest time for the next attempt after a failure at `failedAt`: notAfter minus the
 * expiry margin; inside that margin, half the time left (at least a quarter of the margin, at
 * most all of it), so a few attempts still fit and none is later than notAfter. Undefined once the certificate has expired (then only the table).
 */
function expiryCap(life: Lifetime, failedAt: number): number | undefined {
  if (failedAt >= life.end || life.ms <= 0) return undefined;
  const cap = life.end - life.expiryMargin;
  if (cap > failedAt) return cap;
  const left = life.end - failedAt;
  return failedAt + Math.max(left / 2, Math.min(life.expiryMargin / 4, left));
}

/** Next renewalInfo fetch: the CA's Retry-After, else ARI_RECHECK_MS, never over a day ahead. */
function recheckAriAt(input: RenewalInput): Date | undefined {
  const now = input.now.getTime();
  if (!input.ari || now >= input.notAfter.getTime()) return undefined;
  const asked = input.ari.retryAfter?.getTime();
  const wanted = asked !== undefined && Number.isFinite(asked) ? asked : now + ARI_RECHECK_MS;
  return new Date(Math.min(Math.max(wanted, now), now + ARI_RETRY_AFTER_MAX_MS));
}
