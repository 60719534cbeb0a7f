/**
 * The expiry timeline's rules, as pure functions of the template list and the time: which
 * templates get a bar (those with a latest certificate), the state each bar is coloured by,
 * the order (least remaining share of lifetime first, so the most urgent is on top), and the
 * shared time axis every bar is drawn against.
 */
import type { TemplateView } from '../../../shared/types.ts';
import { showName, timeLeft } from './format.ts';

/**
 * A bar's state: renewal failing (the latest renewal attempt failed), late (in the last 20% of
 * its lifetime, expired included), or fine. Failing wins over late.
 */
export type TimelineState = 'fine' | 'late' | 'failing';

/** The share of lifetime below which a certificate counts as late. */
export const LATE_SHARE = 0.2;

/** The words for each state, shown beside the colour so the state is never colour alone. */
export const TIMELINE_STATE_WORDS: Record<TimelineState, string> = {
  fine: 'Fine',
  late: 'Last 20% of lifetime',
  failing: 'Renewal failing',
};

/** One bar: a template's latest certificate against the clock. Times in epoch milliseconds. */
export interface TimelineRow {
  templateId: string;
  /** The common name, in Unicode. */
  name: string;
  notBefore: number;
  notAfter: number;
  /** When the renewal is planned, if main planned one. */
  renewalAt?: number;
  state: TimelineState;
  /** Remaining lifetime as a share of the whole, 0 once expired, 1 before it starts. */
  remainingShare: number;
  /** `12 days left`, `5 hours left`, `Expired`. */
  left: string;
}

/** The time span the axis shows, in epoch milliseconds. */
export interface TimelineRange {
  from: number;
  to: number;
}

function remainingShare(notBefore: number, notAfter: number, now: number): number {
  const lifetime = notAfter - notBefore;
  if (!(lifetime > 0)) return 0;
  return Math.min(1, Math.max(0, (notAfter - now) / lifetime));
}

function toRow(template: TemplateView, now: Date): TimelineRow | null {
  const certificate = template.latestCertificate;
  if (!certificate) return null;
  const notBefore = Date.parse(certificate.notBefore);
  const notAfter = Date.parse(certificate.notAfter);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) return null;
  const share = remainingShare(notBefore, notAfter, now.getTime());
  const renewalAt = template.renewalPlan ? Date.parse(template.renewalPlan.dueAt) : Number.NaN;
  const state: TimelineState = template.failure ? 'failing' : share < LATE_SHARE ? 'late' : 'fine';
  return {
    templateId: template.id,
    name: showName(certificate.commonName),
    notBefore,
    notAfter,
    ...(Number.isNaN(renewalAt) ? {} : { renewalAt }),
    state,
    remainingShare: share,
    left: timeLeft(certificate.notAfter, now),
  };
}

/** Most urgent first: least remaining share, then earliest expiry, then name. */
function byUrgency(a: TimelineRow, b: TimelineRow): number {
  return (
    a.remainingShare - b.remainingShare || a.notAfter - b.notAfter || a.name.localeCompare(b.name)
  );
}

/** A bar for every template with a latest certificate, the most urgent first. */
export function timelineRows(templates: readonly TemplateView[], now: Date): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const template of templates) {
    const row = toRow(template, now);
    if (row) rows.push(row);
  }
  return rows.sort(byUrgency);
}

/** The time spans the axis can show: every lifetime whole, or a window around today. */
export const TIMELINE_SPANS = [
  { value: 'all', label: 'Whole lifetimes', days: 0 },
  { value: '14d', label: '2 weeks', days: 14 },
  { value: '90d', label: '3 months', days: 90 },
  { value: '1y', label: '1 year', days: 365 },
] as const;

/** One of {@link TIMELINE_SPANS}. */
export type TimelineSpan = (typeof TIMELINE_SPANS)[number]['value'];

/**
 * The axis. For `all`: from the earliest start (or now) to the latest expiry or renewal (or
 * now), with a little room on both sides so markers at the ends stay visible. For a window:
 * a quarter of it before today and the rest after, so what comes next has the most room; bars
 * are cut at its edges. Never empty.
 */
export function timelineRange(
  rows: readonly TimelineRow[],
  now: Date,
  span: TimelineSpan = 'all',
): TimelineRange {
  const days = TIMELINE_SPANS.find((s) => s.value === span)?.days ?? 0;
  if (days > 0) {
    const width = days * 86_400_000;
    return { from: now.getTime() - width / 4, to: now.getTime() + (width * 3) / 4 };
  }
  let from = now.getTime();
  let to = now.getTime();
  for (const row of rows) {
    from = Math.min(from, row.notBefore);
    to = Math.max(to, row.notAfter, row.renewalAt ?? to);
  }
  const pad = Math.max((to - from) * 0.02, 60_000);
  return { from: from - pad, to: to + pad };
}

/** Where `time` falls on the axis, in percent: below 0 or above 100 when outside it. */
export function axisPosition(time: number, range: TimelineRange): number {
  return ((time - range.from) / (range.to - range.from)) * 100;
}

/** Where `time` falls on the axis, as a percentage held between 0 and 100. */
export function axisPercent(time: number, range: TimelineRange): number {
  return Math.min(100, Math.max(0, axisPosition(time, range)));
}

/** True when `time` lies on the axis (not cut off at either edge). */
export function onAxis(time: number, range: TimelineRange): boolean {
  return time >= range.from && time <= range.to;
}
