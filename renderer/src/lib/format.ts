/**
 * Presentation helpers shared by the list and the dialogs: names in Unicode, dates, the status
 * wording of DESIGN.md section 3, and the country picker's options. Pure functions; the caches
 * only avoid recomputing the same answer for 10,000 rows.
 */
import { COUNTRY_CODES } from '../../../shared/countries.ts';
import { displayName } from '../../../shared/names.ts';
import {
  STATUS_LABELS,
  STEP_LABELS,
  type FailureView,
  type RenewalView,
  type TemplateView,
} from '../../../shared/types.ts';

const unicodeCache = new Map<string, string>();

/** The Unicode form of an A-label name, for people (`xn--bcher-kva.example` → `bücher.example`). */
export function showName(ascii: string): string {
  let shown = unicodeCache.get(ascii);
  if (shown === undefined) {
    shown = displayName(ascii);
    unicodeCache.set(ascii, shown);
  }
  return shown;
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** `Dec 3, 2026`; the input unchanged when it is not a date. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** `Dec 3, 2026, 4:49 PM`; the input unchanged when it is not a date. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** Whole days from `now` until `iso`, rounded down; negative once past. */
export function daysUntil(iso: string, now: Date = new Date()): number {
  return Math.floor((new Date(iso).getTime() - now.getTime()) / 86_400_000);
}

/** `1825 days left`, `1 day left`, `expired`. */
export function daysLeft(iso: string, now: Date = new Date()): string {
  const days = daysUntil(iso, now);
  return days < 0 ? 'expired' : days === 1 ? '1 day left' : `${days} days left`;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What is left until `iso`, for lifetimes of days as well as years: `1825 days left` from two
 * days on, `31 hours left` below that, `12 minutes left` in the last hour, `Expired` once past.
 */
export function timeLeft(iso: string, now: Date = new Date()): string {
  const ms = new Date(iso).getTime() - now.getTime();
  if (!(ms > 0)) return 'Expired';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} left`;
  if (ms >= 2 * DAY_MS) return plural(Math.floor(ms / DAY_MS), 'day');
  if (ms >= HOUR_MS) return plural(Math.floor(ms / HOUR_MS), 'hour');
  return plural(Math.max(1, Math.floor(ms / 60_000)), 'minute');
}

/** Why a renewal is due when it is, in words; the plan's own detail gives the figures. */
export const RENEWAL_REASON_WORDS: Record<RenewalView['reason'], string> = {
  'ari-window': "inside the CA's renewal window (ARI)",
  'ari-window-passed': "the CA's renewal window (ARI) has passed",
  'lifetime-share': 'two thirds of the lifetime have passed',
  emergency: 'little lifetime is left',
  backoff: 'trying again after a failed renewal',
};

/** `Renews on Mar 3, 2026, 4:49 PM — two thirds of the lifetime have passed: <detail>`. */
export function renewalSentence(plan: RenewalView): string {
  return `Renews on ${formatDateTime(plan.dueAt)} — ${RENEWAL_REASON_WORDS[plan.reason]}: ${plan.detail}`;
}

const timestampFormat = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** `Dec 3, 2026, 4:49:05 PM`: for audit lines, whose steps are seconds apart. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timestampFormat.format(date);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', Infinity],
];

/**
 * `in 25 seconds`, `in 5 minutes`, `in 1 hour` for a future time; null once it has passed
 * (the caller words "now" in its own sentence). Rounded up, so it never says "in 0 seconds".
 */
export function timeUntil(iso: string, now: Date = new Date()): string | null {
  let amount = Math.ceil((new Date(iso).getTime() - now.getTime()) / 1000);
  if (!(amount > 0)) return null;
  for (const [unit, size] of RELATIVE_UNITS) {
    if (amount < size) return relative.format(amount, unit);
    amount = Math.round(amount / size);
  }
  return null;
}

/**
 * The words under the status label: the live step (and, while waiting for the CNAME, when it
 * is checked next), the certificate's validity (with a renewal in progress or failed beside
 * it), or why Unable to Generate.
 */
export function statusDetail(template: TemplateView, now: Date = new Date()): string {
  if (template.status === 'pending') {
    if (!template.step) return '';
    const step = STEP_LABELS[template.step];
    if (template.step !== 'waiting-for-cname' || !template.nextCheckAt) return step;
    const when = timeUntil(template.nextCheckAt, now);
    return when ? `${step} · next check ${when}` : `${step} · checking now`;
  }
  if (template.status === 'issued' && template.latestCertificate) {
    const until = template.latestCertificate.notAfter;
    const validity = `Valid until ${formatDate(until)} · ${daysLeft(until, now)}`;
    // A renewal in progress or a failed one shows beside the certificate, never instead of it.
    if (template.failure)
      return `${validity} · Renewal failed: ${failureSentence(template.failure)}`;
    if (template.step) return `${validity} · Renewing: ${STEP_LABELS[template.step]}`;
    return validity;
  }
  return failureText(template) ?? '';
}

/** True when the detail changes with the clock (the next check's countdown). */
export function detailTicks(template: TemplateView): boolean {
  return template.status === 'pending' && template.nextCheckAt !== undefined;
}

/** The reason, then when Certdesk tries again by itself or that Retry Generate will. */
export function failureSentence(failure: FailureView): string {
  return failure.nextAttemptAt
    ? `${failure.message} Certdesk will try again at ${formatDateTime(failure.nextAttemptAt)}.`
    : `${failure.message} Retry Generate to try again.`;
}

/**
 * Why Unable to Generate, and whether Certdesk retries by itself: the label's description
 * and tooltip. Null for any other status.
 */
export function failureText(template: TemplateView): string | null {
  if (template.status !== 'failed' || !template.failure) return null;
  return failureSentence(template.failure);
}

/** The status label text, exactly as STATUS_LABELS words it. */
export function statusLabel(template: TemplateView): string {
  return STATUS_LABELS[template.status];
}

/** One option of the Country picker. */
export interface CountryOption {
  code: string;
  label: string;
}

let countryOptions: CountryOption[] | null = null;

/** Every ISO 3166 code with its English name, sorted by name: `Germany (DE)`. */
export function countries(): CountryOption[] {
  if (countryOptions) return countryOptions;
  const names = new Intl.DisplayNames('en', { type: 'region' });
  countryOptions = COUNTRY_CODES.map((code) => ({
    code,
    label: `${names.of(code) ?? code} (${code})`,
  })).sort((a, b) => a.label.localeCompare(b.label, 'en'));
  return countryOptions;
}
