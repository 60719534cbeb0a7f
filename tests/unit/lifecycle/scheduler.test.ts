import { describe, expect, it } from 'vitest';
import { nextCheckAt } from '../../../electron/core/lifecycle/cadence.ts';
import {
  MAX_TIMER_DELAY_MS,
  Scheduler,
  type Clock,
} from '../../../electron/core/lifecycle/scheduler.ts';

/** A clock the test moves by hand; it records every armed delay. */
function fakeClock(start = 0) {
  let now = start;
  let pending: { fn: () => void; at: number; id: number } | null = null;
  let nextId = 0;
  const delays: number[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      delays.push(ms);
      pending = { fn, at: now + ms, id: ++nextId };
      return nextId;
    },
    clearTimeout: (id) => {
      if (pending?.id === id) pending = null;
    },
  };
  return {
    clock,
    delays,
    /** Moves the clock; fires the armed timer if its time came. */
    advance(ms: number) {
      now += ms;
      while (pending && pending.at <= now) {
        const { fn } = pending;
        pending = null;
        fn();
      }
    },
    /** Moves the wall clock without firing timers (a sleep or a clock change). */
    jump(ms: number) {
      now += ms;
    },
  };
}

const DAY = 86_400_000;

describe('Scheduler', () => {
  it('arms one timer for the earliest key and runs keys in due order', () => {
    const t = fakeClock();
    const ran: string[][] = [];
    const s = new Scheduler((keys) => ran.push(keys), t.clock);
    s.schedule('b', 2000);
    s.schedule('a', 1000);
    s.schedule('c', 2000);
    t.advance(1000);
    t.advance(1000);
    expect(ran).toEqual([['a'], ['b', 'c']]);
  });

  it('clamps a 60-day delay to the timer limit and re-arms when it wakes early', () => {
    const t = fakeClock();
    const ran: string[][] = [];
    const s = new Scheduler((keys) => ran.push(keys), t.clock);
    s.schedule('renewal', 60 * DAY);
    expect(Math.max(...t.delays)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    t.advance(MAX_TIMER_DELAY_MS);
    expect(ran).toEqual([]);
    t.advance(60 * DAY - MAX_TIMER_DELAY_MS);
    expect(ran).toEqual([['renewal']]);
  });

  it('after a sleep or a clock jump forward runs what is overdue once, in order', () => {
    const t = fakeClock();
    const ran: string[][] = [];
    const s = new Scheduler((keys) => ran.push(keys), t.clock);
    s.schedule('x', 2 * DAY);
    s.schedule('y', DAY);
    s.schedule('z', 10 * DAY);
    t.jump(3 * DAY);
    s.wake();
    s.wake();
    expect(ran).toEqual([['y', 'x']]);
    expect(s.next()).toEqual({ key: 'z', at: 10 * DAY });
  });

  it('runs nothing when the clock jumps backwards', () => {
    const t = fakeClock(5 * DAY);
    const ran: string[][] = [];
    const s = new Scheduler((keys) => ran.push(keys), t.clock);
    s.schedule('x', 6 * DAY);
    t.jump(-2 * DAY);
    s.wake();
    expect(ran).toEqual([]);
  });

  it('moves a key when it is scheduled again, and forgets cancelled keys', () => {
    const t = fakeClock();
    const ran: string[][] = [];
    const s = new Scheduler((keys) => ran.push(keys), t.clock);
    s.schedule('a', 1000);
    s.schedule('a', 5000);
    s.schedule('b', 2000);
    s.cancel('b');
    t.advance(4000);
    expect(ran).toEqual([]);
    t.advance(1000);
    expect(ran).toEqual([['a']]);
  });
});

describe('nextCheckAt()', () => {
  const S = 1000;
  const M = 60 * S;
  it.each([
    ['right after creation', 0, 30 * S],
    ['9 minutes in', 9 * M, 9 * M + 30 * S],
    ['10 minutes in', 10 * M, 15 * M],
    ['59 minutes in', 59 * M, 64 * M],
    ['an hour in', 60 * M, 120 * M],
    ['a day in', 24 * 60 * M, 25 * 60 * M],
  ])('%s', (_label, last, next) => {
    expect(nextCheckAt(0, last)).toBe(next);
  });
});
