/**
 * The renewal decision as tables over 90-day, 45-day and 6-day certificates: the lifetime
 * share with its jitter, ARI windows in the past, now and in the future, the selected time
 * kept across calls (a restart), invalid windows, the clock jumping forward, and the emergency
 * floor overriding ARI. Failures and Retry-After are in policy-backoff.test.ts. Pure function,
 * fixed randomness, no clock.
 */
import { describe, expect, it } from 'vitest';
import { decideRenewal, type RenewalInput } from '../../../electron/core/renewal/policy.ts';
import { ARI_RECHECK_MS, stableRandom } from '../../../electron/core/renewal/timing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00Z');

/** The three lifetimes issue 4 names, with the expected no-ARI renewal point and floor. */
const LIFETIMES = [
  { label: '90-day', ms: 90 * DAY, renewAt: 60 * DAY, floorLeft: 4.5 * DAY },
  { label: '45-day', ms: 45 * DAY, renewAt: 30 * DAY, floorLeft: 2.25 * DAY },
  { label: '6-day', ms: 6 * DAY, renewAt: 3 * DAY, floorLeft: 12 * HOUR },
];

const at = (ms: number) => new Date(T0 + ms);
const isoSecond = (ms: number) =>
  at(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
const fixed = (r: number) => () => r;

function input(lifeMs: number, nowMs: number, extra: Partial<RenewalInput> = {}): RenewalInput {
  return {
    notBefore: at(0),
    notAfter: at(lifeMs),
    now: at(nowMs),
    failures: 0,
    random: fixed(0.5),
    ...extra,
  };
}

function ari(startMs: number, endMs: number, more: Partial<NonNullable<RenewalInput['ari']>> = {}) {
  return { windowStart: at(startMs), windowEnd: at(endMs), ...more };
}

describe.each(LIFETIMES)('decideRenewal for a $label certificate', ({ ms, renewAt, floorLeft }) => {
  it.each([
    { r: 0, earlier: 0 },
    { r: 0.5, earlier: 0.01 },
    { r: 0.25, earlier: 0.005 },
  ])(
    'without ARI renews at the lifetime share, $earlier of the lifetime earlier for random $r',
    ({ r, earlier }) => {
      const d = decideRenewal(input(ms, HOUR, { random: fixed(r) }));
      expect(d.reason).toBe('lifetime-share');
      expect(d.at.getTime()).toBe(T0 + renewAt - earlier * ms);
      expect(d.selectedAt).toBeUndefined();
      expect(d.recheckAriAt).toBeUndefined();
      expect(d.detail).toContain(isoSecond(renewAt));
    },
  );

  it('never renews later than the lifetime share, nor more than 2 % of the lifetime earlier', () => {
    for (let r = 0; r < 1; r += 0.01) {
      const due = decideRenewal(input(ms, HOUR, { random: fixed(r) })).at.getTime() - T0;
      expect(due).toBeLessThanOrEqual(renewAt);
      expect(due).toBeGreaterThanOrEqual(renewAt - 0.02 * ms);
    }
  });

  it.each([
    { when: 'in the future', start: 0.4, end: 0.5, now: 0.1, r: 0.5, reason: 'ari-window' },
    { when: 'open now', start: 0.2, end: 0.5, now: 0.3, r: 0.1, reason: 'ari-window' },
    { when: 'in the past', start: 0.1, end: 0.2, now: 0.3, r: 0.5, reason: 'ari-window-passed' },
  ])(
    'with an ARI window $when renews inside it, or now once it has passed',
    ({ start, end, now, r, reason }) => {
      const window = ari(start * ms, end * ms);
      const d = decideRenewal(input(ms, now * ms, { ari: window, random: fixed(r) }));
      expect(d.reason).toBe(reason);
      const selected = d.selectedAt?.getTime() ?? NaN;
      expect(selected).toBeGreaterThanOrEqual(T0 + start * ms);
      expect(selected).toBeLessThan(T0 + end * ms);
      if (reason === 'ari-window-passed') expect(d.at.getTime()).toBe(T0 + now * ms);
      else {
        expect(d.at.getTime()).toBe(selected);
        expect(selected).toBeGreaterThanOrEqual(T0 + now * ms); // only the part not yet passed
      }
      expect(d.recheckAriAt?.getTime()).toBe(T0 + now * ms + ARI_RECHECK_MS);
    },
  );

  it('keeps the selected ARI time across calls and restarts, whatever the randomness says', () => {
    const window = ari(0.5 * ms, 0.6 * ms);
    const first = decideRenewal(input(ms, HOUR, { ari: window, random: fixed(0.3) }));
    expect(first.selectedAt?.getTime()).toBe(Math.floor(T0 + 0.5 * ms + 0.3 * 0.1 * ms));
    for (const r of [0, 0.7, 0.99]) {
      const again = decideRenewal(
        input(ms, 2 * HOUR, {
          ari: { ...window, selectedAt: first.selectedAt as Date },
          random: fixed(r),
        }),
      );
      expect(again.selectedAt).toEqual(first.selectedAt);
      expect(again.at).toEqual(first.at);
    }
  });

  it('chooses again inside a window that moved away from the stored time', () => {
    const stored = at(0.55 * ms);
    const moved = ari(0.3 * ms, 0.4 * ms, { selectedAt: stored });
    const d = decideRenewal(input(ms, HOUR, { ari: moved, random: fixed(0.5) }));
    expect(d.selectedAt?.getTime()).toBe(Math.floor(T0 + 0.35 * ms));
    expect(d.at).toEqual(d.selectedAt);
  });

  it.each([
    { what: 'ends when it starts', end: 0.5 },
    { what: 'ends before it starts', end: 0.4 },
  ])('ignores an ARI window that $what and renews by the lifetime share', ({ end }) => {
    const d = decideRenewal(input(ms, HOUR, { ari: ari(0.5 * ms, end * ms), random: fixed(0) }));
    expect(d.reason).toBe('lifetime-share');
    expect(d.at.getTime()).toBe(T0 + renewAt);
    expect(d.selectedAt).toBeUndefined();
    expect(d.detail).toContain('is ignored');
    expect(d.recheckAriAt?.getTime()).toBe(T0 + HOUR + ARI_RECHECK_MS);
  });

  it.each([
    { label: 'an hour', jump: HOUR },
    { label: 'three days', jump: 3 * DAY },
  ])('renews at once when the clock jumps $label past the due time', ({ jump }) => {
    const planned = decideRenewal(input(ms, HOUR)).at.getTime() - T0;
    const jumpedTo = Math.min(planned + jump, ms - floorLeft - 1);
    const d = decideRenewal(input(ms, jumpedTo));
    expect(d.reason).toBe('lifetime-share');
    expect(d.at.getTime()).toBe(T0 + jumpedTo);
    expect(d.detail).toContain(`Due since ${isoSecond(planned)}`);
  });

  it.each([
    { where: 'into the emergency floor', to: (left: number) => ms - left / 2 },
    { where: 'past expiry', to: () => ms + DAY },
  ])('renews at once as an emergency when the clock jumps $where', ({ to }) => {
    const now = to(floorLeft);
    const d = decideRenewal(input(ms, now, { ari: ari(0.5 * ms, 0.6 * ms) }));
    expect(d.reason).toBe('emergency');
    expect(d.at.getTime()).toBe(T0 + now);
  });

  it('renews at the emergency floor when the ARI window lies beyond it', () => {
    const late = ari(ms - floorLeft / 4, ms - floorLeft / 8);
    const d = decideRenewal(input(ms, HOUR, { ari: late }));
    expect(d.reason).toBe('emergency');
    expect(d.at.getTime()).toBe(T0 + ms - floorLeft);
    expect(d.selectedAt?.getTime()).toBeGreaterThan(T0 + ms - floorLeft);
  });

  it('renews now, whatever ARI says, once less than the floor remains', () => {
    const now = ms - floorLeft + 1;
    const d = decideRenewal(input(ms, now, { ari: ari(ms - floorLeft / 4, ms - floorLeft / 8) }));
    expect(d.reason).toBe('emergency');
    expect(d.at.getTime()).toBe(T0 + now);
    expect(d.detail).toContain('emergency floor');
  });
});

describe('decideRenewal, ARI re-checks', () => {
  const ms = 90 * DAY;
  const now = 10 * DAY;

  it.each([
    { label: 'the CA asked in 2 hours', retryAfter: now + 2 * HOUR, expected: now + 2 * HOUR },
    { label: 'the CA asked in 3 days', retryAfter: now + 3 * DAY, expected: now + DAY },
    { label: 'the CA asked at a time already passed', retryAfter: now - HOUR, expected: now },
    { label: 'the CA gave no Retry-After', retryAfter: undefined, expected: now + ARI_RECHECK_MS },
  ])('asks again at most a day ahead: $label', ({ retryAfter, expected }) => {
    const window = ari(
      50 * DAY,
      55 * DAY,
      retryAfter === undefined ? {} : { retryAfter: at(retryAfter) },
    );
    const d = decideRenewal(input(ms, now, { ari: window }));
    expect(d.recheckAriAt?.getTime()).toBe(T0 + expected);
  });

  it('stops asking once the certificate has expired, and never asks without ARI', () => {
    expect(
      decideRenewal(input(ms, ms + HOUR, { ari: ari(50 * DAY, 55 * DAY) })).recheckAriAt,
    ).toBeUndefined();
    expect(decideRenewal(input(ms, now)).recheckAriAt).toBeUndefined();
  });
});

describe('decideRenewal, odd input', () => {
  it('renews now as an emergency when the validity is empty', () => {
    const d = decideRenewal({ ...input(DAY, 0), notAfter: at(0) });
    expect(d.reason).toBe('emergency');
    expect(d.at.getTime()).toBe(T0);
  });

  it('refuses an invalid date or a negative failure count with renewal-invalid-input', () => {
    expect(() => decideRenewal({ ...input(DAY, 0), now: new Date(NaN) })).toThrow(
      expect.objectContaining({ code: 'renewal-invalid-input' }),
    );
    expect(() => decideRenewal({ ...input(DAY, 0), failures: -1 })).toThrow(/not a valid time/);
  });

  it('treats a random source that returns garbage as the middle of its range', () => {
    const d = decideRenewal(input(90 * DAY, HOUR, { random: fixed(NaN) }));
    expect(d.at.getTime()).toBe(T0 + 60 * DAY - 0.01 * 90 * DAY);
  });

  it('gets a stable, spread random value per certificate from stableRandom', () => {
    const a = stableRandom('AA:BB');
    expect(a()).toBe(stableRandom('AA:BB')());
    expect(a()).toBe(a());
    const values = new Set(Array.from({ length: 50 }, (_, i) => stableRandom(`cert-${i}`)()));
    expect(values.size).toBe(50);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
  });
});
