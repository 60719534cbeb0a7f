/**
 * The renewal policy's constants, each with the reason for its value, and the small helpers
 * policy.ts shares (lifetime arithmetic, times and spans in words). Pure; no clock.
 */
import { createHash } from 'node:crypto';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Without ARI, renew when this share of the lifetime has passed (DESIGN.md §6; Let's Encrypt's
 * integration guide: renew with a third of the lifetime left): day 60 of 90, day 30 of 45.
 */
export const RENEW_AT_SHARE = 2 / 3;

/**
 * Lifetimes below this renew at {@link SHORT_RENEW_AT_SHARE} instead. Let's Encrypt's guide
 * asks for half the lifetime below 10 days: an outage lasts hours whatever the lifetime, and
 * two thirds of a 6-day certificate would leave 2 days, not enough for a weekend without
 * anyone at the desk. Half leaves 3 days for the 6-day `shortlived` profile.
 */
export const SHORT_LIFETIME_MS = 10 * DAY;

/** Share of the lifetime after which short-lived certificates renew (see SHORT_LIFETIME_MS). */
export const SHORT_RENEW_AT_SHARE = 1 / 2;

/**
 * The lifetime-share time moves earlier by up to this share of the lifetime, never later, so
 * certificates issued together do not renew together: up to 1.8 days for 90-day certificates,
 * 0.9 days for 45-day and 2.9 hours for 6-day ones.
 */
export const JITTER_SHARE = 0.02;

/**
 * Emergency floor: with less than this share of the lifetime left, renew now even when ARI
 * says later (certmagic's 1/20; RELIABILITY A6): 4.5 days of 90, 2.25 days of 45.
 */
export const EMERGENCY_SHARE = 1 / 20;

/**
 * For short lifetimes 1/20 is too little (7.2 hours of a 6-day certificate, less than a
 * night): the floor is at least 12 hours, enough for several retries and for a person to act
 * within a working day. It never exceeds a third of the lifetime, so the floor always comes
 * after the lifetime-share time and very short test certificates are not always in emergency.
 */
export const EMERGENCY_MIN_REMAINING_MS = 12 * HOUR;

/**
 * After a failure, the next attempt is never later than notAfter minus this share of the
 * lifetime (1.8 days of 90, 2.9 hours of 6) ...
 */
export const EXPIRY_MARGIN_SHARE = 1 / 50;

/**
 * ... nor than an hour before notAfter (bounded by a quarter of the lifetime): a day-long
 * backoff step must not jump over the expiry. Inside the margin, attempts come at half the
 * remaining time (at least a quarter of the margin apart), so about four more fit.
 */
export const EXPIRY_MARGIN_MIN_MS = HOUR;

/** Without a Retry-After, renewalInfo is fetched again after 12 hours (LE: twice a day). */
export const ARI_RECHECK_MS = 12 * HOUR;

/** A renewalInfo Retry-After is honoured up to a day (RFC 9773 §4.3: clamp to a day). */
export const ARI_RETRY_AFTER_MAX_MS = DAY;

/** The lifetime of a certificate and the derived points in time, all in epoch ms. */
export interface Lifetime {
  start: number;
  end: number;
  /** end − start; zero or negative for an empty validity. */
  ms: number;
  /** From this time on, renewal is an emergency. */
  emergencyAt: number;
  /** How long before `end` failures stop pushing the next attempt later. */
  expiryMargin: number;
}

/** The lifetime of a certificate valid from `notBefore` to `notAfter`. */
export function lifetimeOf(notBefore: Date, notAfter: Date): Lifetime {
  const start = notBefore.getTime();
  const end = notAfter.getTime();
  const ms = end - start;
  const floor = Math.max(ms * EMERGENCY_SHARE, Math.min(EMERGENCY_MIN_REMAINING_MS, ms / 3));
  const margin = Math.min(Math.max(EXPIRY_MARGIN_MIN_MS, ms * EXPIRY_MARGIN_SHARE), ms / 4);
  return { start, end, ms, emergencyAt: end - floor, expiryMargin: margin };
}

/** A value from a random source, forced into [0, 1) (0.5 when it is not a number). */
export function clampUnit(value: number): number {
  if (!Number.isFinite(value)) return 0.5;
  return Math.min(Math.max(value, 0), 1 - Number.EPSILON);
}

/** A time as the log and UI show it: ISO 8601 in UTC, to the second. */
export function iso(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration in words, rounded: "60 days", "4.5 hours", "10 minutes", "30 seconds". */
export function describeSpan(ms: number): string {
  const abs = Math.abs(ms);
  const [unit, size] =
    abs >= 2 * DAY
      ? ['days', DAY]
      : abs >= 2 * HOUR
        ? ['hours', HOUR]
        : abs >= 2 * MINUTE
          ? ['minutes', MINUTE]
          : ['seconds', SECOND];
  const value = Math.round((ms / (size as number)) * 10) / 10;
  return `${value} ${unit}`;
}

/** The sentence `text` with its first letter capitalised. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A source of randomness that always returns the same number in [0, 1) for `seed` (a
 * certificate's SHA-256 fingerprint, say): renewal times of different certificates spread, and
 * the time of one certificate is the same at every call and after a restart.
 */
export function stableRandom(seed: string): () => number {
  const value = createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
  return () => value;
}
