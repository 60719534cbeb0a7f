/**
 * What the administrator should hear about, decided in plain Node so it can be tested with a
 * fake clock; the Electron shell only shows the result (tray icon, menu, desktop notifications).
 *
 * Let's Encrypt stopped e-mailing about expiring certificates in June 2025 and lifetimes are
 * shrinking (45-day and 6-day certificates), so the warning thresholds are shares of each
 * certificate's own lifetime: a 6-day certificate warns in hours, a 90-day one in days.
 */
import { displayName } from '../../../shared/names.ts';
import type { TemplateView } from '../../../shared/types.ts';

/** Remaining-lifetime shares at which an unrenewed certificate warns, most relaxed first. */
export const EXPIRY_WARNING_SHARES = [0.2, 0.1, 0.05, 0.02] as const;

export type AlertKind = 'renewed' | 'renewal-failed' | 'cname-changed' | 'expiring' | 'site-stale';

export interface Alert {
  /** Same key, same news: used to avoid repeating it. */
  key: string;
  kind: AlertKind;
  templateId: string;
  level: 'info' | 'warning' | 'error';
  title: string;
  body: string;
}

/** How far into the warning thresholds a certificate is: -1 none, 0..3 the share crossed. */
export function expiryLevel(notBefore: Date, notAfter: Date, now: Date): number {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const remaining = notAfter.getTime() - now.getTime();
  if (lifetime <= 0) return EXPIRY_WARNING_SHARES.length - 1;
  let level = -1;
  EXPIRY_WARNING_SHARES.forEach((share, i) => {
    if (remaining <= lifetime * share) level = i;
  });
  return level;
}

function timeLeft(ms: number): string {
  if (ms <= 0) return 'it has expired';
  const hours = ms / 3_600_000;
  if (hours < 48) return `${Math.max(1, Math.floor(hours))} hour(s) left`;
  return `${Math.floor(hours / 24)} day(s) left`;
}

/** A warning for a certificate whose renewal has not happened in time; null when none is due. */
export function expiryAlert(template: TemplateView, now: Date): Alert | null {
  const cert = template.latestCertificate;
  if (!cert) return null;
  const level = expiryLevel(new Date(cert.notBefore), new Date(cert.notAfter), now);
  if (level < 0) return null;
  const left = new Date(cert.notAfter).getTime() - now.getTime();
  const name = displayName(template.commonName);
  return {
    key: `expiring:${template.id}:${cert.serial}:${level}`,
    kind: 'expiring',
    templateId: template.id,
    level: level >= 2 ? 'error' : 'warning',
    title: `${name}: certificate not renewed yet`,
    body: `The certificate for ${name} expires ${cert.notAfter.slice(0, 16).replace('T', ' ')} UTC (${timeLeft(left)}) and has not been renewed.${template.failure ? ` Last attempt: ${template.failure.message}` : ''}`,
  };
}

export type TrayState = 'ok' | 'attention' | 'failing';

export interface TraySummary {
  state: TrayState;
  /** Templates that need the administrator, most urgent first. */
  items: { templateId: string; label: string; state: Exclude<TrayState, 'ok'> }[];
}

export type TrayItem = TraySummary['items'][number];

/** The tray item of one template, or null when it needs nothing. */
export function trayItem(t: TemplateView, now: Date): TrayItem | null {
  const cert = t.latestCertificate;
  const expiry = cert ? expiryLevel(new Date(cert.notBefore), new Date(cert.notAfter), now) : -1;
  if (expiry >= 2 || (t.status === 'failed' && !t.failure?.nextAttemptAt)) {
    const why = expiry >= 2 ? 'expires soon' : 'Unable to Generate';
    return { templateId: t.id, label: `${displayName(t.commonName)}: ${why}`, state: 'failing' };
  }
  if (t.status === 'failed' || t.failure || expiry >= 0 || t.cnameWarning) {
    const why = t.failure
      ? 'retrying'
      : t.cnameWarning
        ? 'challenge record changed'
        : 'renewal due';
    return { templateId: t.id, label: `${displayName(t.commonName)}: ${why}`, state: 'attention' };
  }
  return null;
}

/** Orders tray items (failing first, then by label) and derives the overall state. */
export function summarize(items: Iterable<TrayItem>): TraySummary {
  const list = [...items];
  list.sort((a, b) =>
    a.state === b.state
      ? a.label < b.label
        ? -1
        : a.label > b.label
          ? 1
          : 0
      : a.state === 'failing'
        ? -1
        : 1,
  );
  const state: TrayState = list.some((i) => i.state === 'failing')
    ? 'failing'
    : list.length
      ? 'attention'
      : 'ok';
  return { state, items: list };
}

/**
 * The tray at a glance: failing when a certificate is in its last thresholds or a template is
 * Unable to Generate with no automatic retry; attention when something failed but will retry,
 * a certificate crossed a first warning threshold, or a challenge record changed.
 */
export function traySummary(templates: readonly TemplateView[], now: Date): TraySummary {
  const items: TrayItem[] = [];
  for (const t of templates) {
    const item = trayItem(t, now);
    if (item) items.push(item);
  }
  return summarize(items);
}

/**
 * Keeps the desktop quiet: the same key is shown once; a template gets at most one
 * notification of each kind per `perTemplateMs` (so repeated failures stay quiet, while a
 * success after a failure is still news); more than `burst` in `burstMs` are folded into one
 * summary. Decisions only; the caller shows what `admit` returns.
 */
export class AlertGate {
  private readonly seen = new Set<string>();
  private readonly lastByTemplate = new Map<string, number>();
  private recent: number[] = [];

  constructor(
    private readonly perTemplateMs = 60 * 60_000,
    private readonly burst = 5,
    private readonly burstMs = 60_000,
  ) {}

  /** The alerts to show now, out of `candidates`; a summary replaces the overflow. */
  admit(candidates: Alert[], now: Date): Alert[] {
    const t = now.getTime();
    this.recent = this.recent.filter((at) => t - at < this.burstMs);
    const shown: Alert[] = [];
    let folded = 0;
    for (const alert of candidates) {
      if (this.seen.has(alert.key)) continue;
      const slot = `${alert.templateId}:${alert.kind}`;
      const last = this.lastByTemplate.get(slot);
      if (last !== undefined && t - last < this.perTemplateMs && alert.level !== 'error') continue;
      this.seen.add(alert.key);
      this.lastByTemplate.set(slot, t);
      if (this.recent.length >= this.burst) {
        folded += 1;
        continue;
      }
      this.recent.push(t);
      shown.push(alert);
    }
    if (folded > 0) {
      shown.push({
        key: `summary:${t}`,
        kind: 'renewal-failed',
        templateId: '',
        level: 'warning',
        title: `${folded} more certificate(s) need attention`,
        body: 'Open Certdesk to see them.',
      });
    }
    return shown;
  }
}
