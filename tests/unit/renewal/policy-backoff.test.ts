/**
 * The renewal decision after failed attempts, for 90-day, 45-day and 6-day certificates: the
 * retry table of acme/backoff.ts, the cap that keeps attempts before expiry however many
 * failures pile up, and the CA's Retry-After, which only ever lengthens the wait. Pure
 * function, fixed randomness (0.5 = no jitter), no clock.
 */
import { describe, expect, it } from 'vitest';
import { decideRenewal, type RenewalInput } from '../../../electron/core/renewal/policy.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00Z');

/** Lifetimes with their no-ARI renewal point and the expiry margin the cap keeps. */
const LIFETIMES = [
  { label: '90-day', ms: 90 * DAY, renewAt: 60 * DAY, margin: 1.8 * DAY },
  { label: '45-day', ms: 45 * DAY, renewAt: 30 * DAY, margin: 0.9 * DAY },
  { label: '6-day', ms: 6 * DAY, renewAt: 3 * DAY, margin: 0.12 * DAY },
];

const at = (ms: number) => new Date(T0 + ms);

function failed(
  lifeMs: number,
  failedAtMs: number,
  failures: number,
  extra: Partial<RenewalInput> = {},
) {
  const base: RenewalInput = {
    notBefore: at(0),
    notAfter: at(lifeMs),
    now: at(failedAtMs),
    failures,
    lastFailureAt: at(failedAtMs),
    random: () => 0.5,
  };
  return decideRenewal({ ...base, ...extra });
}

describe.each(LIFETIMES)(
  'decideRenewal after failures, $label certificate',
  ({ ms, renewAt, margin }) => {
    it.each([
      { failures: 1, wait: MINUTE },
      { failures: 2, wait: 10 * MINUTE },
      { failures: 3, wait: 100 * MINUTE },
      { failures: 4, wait: DAY },
      { failures: 9, wait: DAY },
    ])(
      'waits the retry table after $failures failure(s) while expiry is far',
      ({ failures, wait }) => {
        const d = failed(ms, renewAt, failures);
        expect(d.reason).toBe('backoff');
        expect(d.at.getTime()).toBe(T0 + renewAt + wait);
        expect(d.detail).toContain(`After ${failures} failed attempt(s)`);
      },
    );

    it('keeps every attempt before expiry however many failures pile up, with several in the last margin', () => {
      const attempts: number[] = [];
      let now = renewAt;
      for (let failures = 1; now < ms && failures < 200; failures++) {
        const d = failed(ms, now, failures);
        expect(d.reason).toBe('backoff');
        now = d.at.getTime() - T0;
        attempts.push(now);
      }
      expect(attempts.at(-1)).toBe(ms); // the last one is at notAfter, never after it
      expect(attempts.every((t) => t <= ms)).toBe(true);
      expect(attempts).toContain(ms - margin); // the daily step was cut back to the cap
      const inMargin = attempts.filter((t) => t >= ms - margin && t <= ms);
      expect(inMargin.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < attempts.length; i++) {
        expect(attempts[i] as number).toBeGreaterThan(attempts[i - 1] as number);
      }
    });

    it('keeps backing off by the table once the certificate has expired', () => {
      const d = failed(ms, ms + HOUR, 12);
      expect(d.reason).toBe('backoff');
      expect(d.at.getTime()).toBe(T0 + ms + HOUR + DAY);
    });
  },
);

describe('decideRenewal honours the CA Retry-After upward only', () => {
  const ms = 90 * DAY;
  const failedAt = 60 * DAY;

  it.each([
    {
      label: 'a longer Retry-After lengthens the wait',
      retryAfterMs: 2 * HOUR,
      rateLimited: false,
      wait: 2 * HOUR,
    },
    {
      label: 'a shorter Retry-After changes nothing',
      retryAfterMs: 10_000,
      rateLimited: false,
      wait: MINUTE,
    },
    {
      label: 'a rate limit is honoured up to 7 days',
      retryAfterMs: 3 * DAY,
      rateLimited: true,
      wait: 3 * DAY,
    },
    {
      label: 'a transient wait is capped at a day',
      retryAfterMs: 3 * DAY,
      rateLimited: false,
      wait: DAY,
    },
    {
      label: 'a negative Retry-After is ignored',
      retryAfterMs: -HOUR,
      rateLimited: false,
      wait: MINUTE,
    },
  ])('$label', ({ retryAfterMs, rateLimited, wait }) => {
    const d = failed(ms, failedAt, 1, { retryAfterMs, rateLimited });
    expect(d.reason).toBe('backoff');
    expect(d.at.getTime()).toBe(T0 + failedAt + wait);
  });

  it('honours a rate limit even past the expiry cap, since an earlier attempt would be refused', () => {
    const life = 6 * DAY;
    const d = failed(life, life - 3 * HOUR, 2, { retryAfterMs: DAY, rateLimited: true });
    expect(d.at.getTime()).toBe(T0 + life + 21 * HOUR);
    expect(d.detail).toContain('Retry-After');
  });
});

describe('decideRenewal, failures and the plan', () => {
  const ms = 90 * DAY;

  it('follows a later ARI time rather than retrying early', () => {
    const ari = { windowStart: at(70 * DAY), windowEnd: at(71 * DAY) };
    const d = failed(ms, 60 * DAY, 1, { ari });
    expect(d.reason).toBe('ari-window');
    expect(d.at.getTime()).toBeGreaterThanOrEqual(T0 + 70 * DAY);
  });

  it('catches up at once when the app was closed past the backed-off time', () => {
    const d = failed(ms, 60 * DAY, 2, { now: at(63 * DAY) });
    expect(d.reason).toBe('backoff');
    expect(d.at.getTime()).toBe(T0 + 63 * DAY);
    expect(d.detail).toContain('Due since');
  });

  it('takes the failure time as now when none was stored', () => {
    const d = failed(ms, 61 * DAY, 3, { lastFailureAt: undefined });
    expect(d.at.getTime()).toBe(T0 + 61 * DAY + 100 * MINUTE);
  });
});
