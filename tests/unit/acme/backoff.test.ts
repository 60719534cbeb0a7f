/**
 * The retry table with a fixed source of randomness: the sequence, the ±10 % jitter, Retry-After
 * only ever lengthening the wait, and the caps (1 day; 7 days for a rate limit).
 */
import { describe, expect, it } from 'vitest';
import {
  BACKOFF_TABLE_MS,
  baseDelayMs,
  nextAttemptAt,
  type BackoffInput,
} from '../../../electron/core/acme/backoff.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const middle = () => 0.5;
const lowest = () => 0;
const highest = () => 1 - Number.EPSILON;

function delay(input: Partial<BackoffInput> & { failures: number }): number {
  return nextAttemptAt({ now: NOW, random: middle, ...input }).getTime() - NOW.getTime();
}

describe('nextAttemptAt', () => {
  it('writes the table down as 1 min, 10 min, 100 min, 1 day', () => {
    expect(BACKOFF_TABLE_MS).toEqual([MIN, 10 * MIN, 100 * MIN, DAY]);
  });

  it.each([
    [1, middle, MIN],
    [2, middle, 10 * MIN],
    [3, middle, 100 * MIN],
    [4, middle, DAY],
    [5, middle, DAY],
    [40, middle, DAY],
    [1, lowest, 54 * S],
    [2, lowest, 9 * MIN],
    [3, lowest, 90 * MIN],
    [4, lowest, 0.9 * DAY],
    [1, highest, 66 * S],
    [2, highest, 11 * MIN],
    [3, highest, 110 * MIN],
    [4, highest, DAY],
  ])('after %i failure(s) with random %o waits %i ms', (failures, random, expected) => {
    expect(delay({ failures, random })).toBeCloseTo(expected, -1);
  });

  it('keeps every delay within ±10 % of its table entry, capped at a day', () => {
    for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      for (let failures = 1; failures <= 6; failures++) {
        const base = baseDelayMs(failures);
        const d = delay({ failures, random: () => r });
        expect(d).toBeGreaterThanOrEqual(Math.round(base * 0.9));
        expect(d).toBeLessThanOrEqual(Math.min(Math.round(base * 1.1), DAY));
      }
    }
  });

  it('treats zero, negative or fractional failure counts as the first failure', () => {
    expect(delay({ failures: 0 })).toBe(MIN);
    expect(delay({ failures: -3 })).toBe(MIN);
    expect(delay({ failures: 2.7 })).toBe(10 * MIN);
  });

  it('lets Retry-After lengthen the wait but never shorten it', () => {
    expect(delay({ failures: 1, retryAfterMs: 2 * HOUR })).toBe(2 * HOUR);
    expect(delay({ failures: 3, retryAfterMs: 5 * S })).toBe(100 * MIN);
  });

  it('ignores a Retry-After that is negative or not a number', () => {
    for (const retryAfterMs of [-5 * MIN, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(delay({ failures: 1, retryAfterMs })).toBe(MIN);
    }
  });

  it('caps a transient wait at one day, whatever Retry-After says', () => {
    expect(delay({ failures: 1, retryAfterMs: 3 * DAY })).toBe(DAY);
    expect(delay({ failures: 1, retryAfterMs: 400 * DAY })).toBe(DAY);
  });

  it('honours a rate limit up to the time given, but at most 7 days', () => {
    expect(delay({ failures: 1, retryAfterMs: 3 * DAY, rateLimited: true })).toBe(3 * DAY);
    expect(delay({ failures: 1, retryAfterMs: 30 * DAY, rateLimited: true })).toBe(7 * DAY);
    expect(delay({ failures: 2, rateLimited: true })).toBe(10 * MIN);
  });

  it('is a pure function of its inputs', () => {
    const input = { failures: 3, now: NOW, random: () => 0.3, retryAfterMs: 1000 };
    expect(nextAttemptAt(input).toISOString()).toBe(nextAttemptAt({ ...input }).toISOString());
  });
});
