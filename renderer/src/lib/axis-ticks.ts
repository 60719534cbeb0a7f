/**
 * Tick marks for the expiry timeline's time axis: calendar-aligned (whole hours, midnights,
 * first days of months, New Year), in the local time zone, with the smallest step that keeps
 * the axis at no more than {@link MAX_TICKS} labels. Works for a 6-day certificate as well as
 * for a 5-year one.
 */
import type { TimelineRange } from './timeline.ts';

/** The most labels the axis shows; more would overlap at the window's usual widths. */
export const MAX_TICKS = 10;

/** One labelled tick. */
export interface AxisTick {
  /** Epoch milliseconds. */
  at: number;
  label: string;
}

type Unit = 'hour' | 'day' | 'month' | 'year';

interface Step {
  unit: Unit;
  count: number;
  format: Intl.DateTimeFormat;
}

const hourFormat = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
});
const dayFormat = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' });
const monthFormat = new Intl.DateTimeFormat('en', { month: 'short', year: 'numeric' });
const yearFormat = new Intl.DateTimeFormat('en', { year: 'numeric' });

/** From finest to coarsest; the first that fits is used. */
const STEPS: Step[] = [
  ...[1, 3, 6, 12].map((count) => ({ unit: 'hour' as const, count, format: hourFormat })),
  ...[1, 2, 7, 14].map((count) => ({ unit: 'day' as const, count, format: dayFormat })),
  ...[1, 3, 6].map((count) => ({ unit: 'month' as const, count, format: monthFormat })),
  ...[1, 2, 5, 10, 25, 50].map((count) => ({ unit: 'year' as const, count, format: yearFormat })),
];

/** The first tick at or after `time`: the start of the next whole unit. */
function firstTick(time: number, unit: Unit): Date {
  const date = new Date(time);
  if (unit === 'year') return new Date(date.getFullYear() + 1, 0, 1);
  if (unit === 'month') return new Date(date.getFullYear(), date.getMonth() + 1, 1);
  if (unit === 'day') return new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate(), date.getHours() + 1);
}

function advance(date: Date, step: Step): Date {
  const next = new Date(date);
  if (step.unit === 'year') next.setFullYear(next.getFullYear() + step.count);
  else if (step.unit === 'month') next.setMonth(next.getMonth() + step.count);
  else if (step.unit === 'day') next.setDate(next.getDate() + step.count);
  else next.setHours(next.getHours() + step.count);
  return next;
}

function ticksFor(range: TimelineRange, step: Step): AxisTick[] | null {
  const ticks: AxisTick[] = [];
  for (
    let at = firstTick(range.from, step.unit);
    at.getTime() <= range.to;
    at = advance(at, step)
  ) {
    if (ticks.length === MAX_TICKS) return null;
    ticks.push({ at: at.getTime(), label: step.format.format(at) });
  }
  return ticks;
}

/** Labelled ticks inside `range`, at most {@link MAX_TICKS} of them. */
export function axisTicks(range: TimelineRange): AxisTick[] {
  for (const step of STEPS) {
    const ticks = ticksFor(range, step);
    if (ticks) return ticks;
  }
  return [];
}
