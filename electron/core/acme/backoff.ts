/**
 * When to try again after a failed issuance attempt. The table below is the only place the
 * retry intervals are written down; the lifecycle engine persists the failure count and the
 * resulting time, so a restart keeps the schedule. A Retry Generate by the administrator runs
 * at once and does not consult this table (but still respects a CA rate limit).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Delay after the n-th consecutive failure (index n − 1); failures past the end reuse the last
 * entry. This is the sequence of Let's Encrypt's integration guide ("1 min, 10 min, 100 min,
 * then 1 day", maxing out at once per day per certificate; RELIABILITY.md §2, A4):
 * - 1 min: most failures are a blip (a CA 5xx, a TXT value not yet on every server).
 * - 10 min: long enough for DNS caches with short TTLs to expire.
 * - 100 min: by now three validation attempts have happened in under 15 minutes; waiting
 *   well past an hour keeps us under LE's 5 failed authorizations per identifier per hour.
 * - 1 day: the cap. Anything still failing needs a person; daily tries stay far below every
 *   limit, and the last-1/3-of-lifetime renewal window leaves weeks of daily attempts.
 */
export const BACKOFF_TABLE_MS: readonly number[] = [MINUTE, 10 * MINUTE, 100 * MINUTE, DAY];

/** Each delay is spread by ±10 % so templates that failed together do not retry together. */
export const JITTER = 0.1;

/** No transient failure waits longer than a day (LE: "once per day per certificate"). */
export const MAX_TRANSIENT_DELAY_MS = DAY;

/**
 * A rate limit is honoured up to the time the CA gives, but never more than 7 days: LE's
 * longest window (5 certificates per exact set per 7 days) resets within that, and a larger
 * Retry-After is more likely a mistake than a real limit.
 */
export const MAX_RATE_LIMIT_DELAY_MS = 7 * DAY;

/** Inputs of {@link nextAttemptAt}. */
export interface BackoffInput {
  /** Consecutive failed attempts so far, this one included (1 after the first failure). */
  failures: number;
  now: Date;
  /** The CA's Retry-After in ms; it can lengthen the delay, never shorten it. */
  retryAfterMs?: number;
  /** True for a rateLimited answer: Retry-After is then honoured up to 7 days instead of 1. */
  rateLimited?: boolean;
  /** Source of randomness in [0, 1); Math.random by default. Tests pass a fixed one. */
  random?: () => number;
}

/** The table's delay for the n-th consecutive failure, before jitter. */
export function baseDelayMs(failures: number): number {
  const n = Number.isFinite(failures) ? Math.max(1, Math.floor(failures)) : 1;
  return BACKOFF_TABLE_MS[Math.min(n, BACKOFF_TABLE_MS.length) - 1] as number;
}

/**
 * The time of the next automatic attempt: the table's delay for `failures`, jittered by ±10 %
 * and capped at 1 day, then raised to `retryAfterMs` when that is longer (a missing, negative
 * or non-finite value is ignored), which is itself capped at 1 day, or 7 days when
 * `rateLimited`. Pure: no clock, no I/O.
 */
export function nextAttemptAt(input: BackoffInput): Date {
  const random = input.random ?? Math.random;
  const spread = 1 + (2 * clampUnit(random()) - 1) * JITTER;
  let delay = Math.min(baseDelayMs(input.failures) * spread, MAX_TRANSIENT_DELAY_MS);
  const asked = input.retryAfterMs;
  if (asked !== undefined && Number.isFinite(asked) && asked > delay) {
    const cap = input.rateLimited ? MAX_RATE_LIMIT_DELAY_MS : MAX_TRANSIENT_DELAY_MS;
    delay = Math.max(delay, Math.min(asked, cap));
  }
  return new Date(input.now.getTime() + Math.round(delay));
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0.5;
}
