/**
 * Turns what happens to templates into desktop notifications and the tray state. It watches
 * the core's templateChanged events (a renewal succeeded, a renewal failed) and, on `tick`,
 * certificates running out of lifetime without a renewal. Everything passes AlertGate, so
 * repeated failures do not flood the desktop. Plain Node: the shell only shows the results.
 */
import { displayName } from '../../../shared/names.ts';
import type { SiteView, TemplateView } from '../../../shared/types.ts';
import type { CoreEvent } from '../events.ts';
import {
  AlertGate,
  expiryAlert,
  summarize,
  trayItem,
  type Alert,
  type TrayItem,
  type TraySummary,
} from './alerts.ts';

export interface Notifier {
  /** Receives the alerts to show, already filtered. Returns the unsubscribe function. */
  onAlerts(listener: (alerts: Alert[]) => void): () => void;
  /** Receives the tray summary whenever it changes. */
  onTray(listener: (summary: TraySummary) => void): () => void;
  /** The current tray summary. */
  tray(): TraySummary;
  /** Re-evaluates expiry warnings and the tray; the shell calls it hourly and on resume. */
  tick(): void;
  /** Feeds one core event (wire it to core.events.on). */
  handle(event: CoreEvent): void;
}

function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'when you choose Retry Generate';
}

/** The alert for a change from `before` to `after`, if the change is news. */
export function changeAlert(
  before: TemplateView | undefined,
  after: TemplateView,
  sites: readonly SiteView[] = [],
): Alert | null {
  const name = displayName(after.commonName);
  const serial = after.latestCertificate?.serial;
  if (before?.latestCertificate && serial && serial !== before.latestCertificate.serial) {
    return {
      key: `renewed:${after.id}:${serial}`,
      kind: 'renewed',
      templateId: after.id,
      level: 'info',
      title: `${name} renewed`,
      body: `New certificate ${serial}, valid until ${when(after.latestCertificate?.notAfter)}.${deployNote(after.id, sites)}`,
    };
  }
  if (after.cnameWarning && after.cnameWarning !== before?.cnameWarning) {
    return {
      key: `cname:${after.id}:${after.cnameWarning}`,
      kind: 'cname-changed',
      templateId: after.id,
      level: 'warning',
      title: `${name}: challenge record changed`,
      body: `${after.cnameWarning} The next renewal will fail until it is fixed.`,
    };
  }
  const failure = after.failure;
  if (after.latestCertificate && failure && failure.at !== before?.failure?.at) {
    return {
      key: `renewal-failed:${after.id}:${failure.code}:${serial ?? ''}`,
      kind: 'renewal-failed',
      templateId: after.id,
      level: failure.nextAttemptAt ? 'warning' : 'error',
      title: `${name}: renewal failed`,
      body: `${failure.message} Next attempt: ${when(failure.nextAttemptAt)}.`,
    };
  }
  return null;
}

/** A deployment that failed, or a live site not serving the certificate just deployed. */
export function siteAlert(site: SiteView): Alert | null {
  const deployment = site.lastDeployment;
  if (!deployment || deployment.ok) return null;
  const stale = deployment.liveChecks.filter((c) => c.status !== 'serving-latest');
  const body = deployment.error
    ? `Deploying certificate ${deployment.certificateSerial} failed: ${deployment.error}`
    : stale.length
      ? `${stale.map((c) => `${c.host}:${c.port} (${c.message})`).join('; ')} does not serve certificate ${deployment.certificateSerial} yet.`
      : `The post-deploy command ended with exit code ${deployment.postDeploy?.exitCode ?? 'none'}.`;
  return {
    key: `site:${site.id}:${deployment.certificateSerial}:${deployment.at}`,
    kind: 'site-stale',
    templateId: deployment.templateId,
    level: 'error',
    title: `${site.name}: not serving the latest certificate`,
    body,
  };
}

function deployNote(templateId: string, sites: readonly SiteView[]): string {
  const linked = sites.filter((s) => s.templateIds.includes(templateId));
  if (!linked.length) return '';
  return ` Deploying it to ${linked.map((s) => `${s.name} (${s.hosts.join(', ')})`).join('; ')}.`;
}

export function createNotifier(options: {
  list: () => TemplateView[];
  /** Sites, so a renewal says where it is deployed. */
  sites?: () => readonly SiteView[];
  now: () => Date;
  gate?: AlertGate;
}): Notifier {
  const gate = options.gate ?? new AlertGate();
  const views = new Map(options.list().map((v) => [v.id, v]));
  const alertListeners = new Set<(alerts: Alert[]) => void>();
  const trayListeners = new Set<(summary: TraySummary) => void>();
  // One tray item per template, updated per event: with 10,000 templates a full recount on
  // every event (a CNAME check is one) would keep the main process busy.
  const items = new Map<string, TrayItem>();
  const recount = () => {
    items.clear();
    const now = options.now();
    for (const view of views.values()) {
      const item = trayItem(view, now);
      if (item) items.set(view.id, item);
    }
  };
  recount();
  let lastTray = summarize(items.values());

  const emit = (candidates: Alert[]) => {
    const shown = gate.admit(candidates, options.now());
    if (shown.length) for (const listener of alertListeners) listener(shown);
  };
  const publishTray = () => {
    const next = summarize(items.values());
    if (JSON.stringify(next) === JSON.stringify(lastTray)) return;
    lastTray = next;
    for (const listener of trayListeners) listener(next);
  };
  /** Updates one template's item; the summary is rebuilt only when the item changed. */
  const updateItem = (id: string, view: TemplateView | undefined) => {
    const before = items.get(id);
    const after = view ? trayItem(view, options.now()) : null;
    if (after) items.set(id, after);
    else items.delete(id);
    if (before?.label !== after?.label || before?.state !== after?.state) publishTray();
  };

  return {
    onAlerts(listener) {
      alertListeners.add(listener);
      return () => alertListeners.delete(listener);
    },
    onTray(listener) {
      trayListeners.add(listener);
      return () => trayListeners.delete(listener);
    },
    tray: () => lastTray,
    tick() {
      const now = options.now();
      emit(
        [...views.values()].map((v) => expiryAlert(v, now)).filter((a): a is Alert => a !== null),
      );
      recount();
      publishTray();
    },
    handle(event) {
      if (event.name === 'siteChanged') {
        const alert = siteAlert(event.payload);
        if (alert) emit([alert]);
      } else if (event.name === 'templateRemoved') {
        views.delete(event.payload.id);
        updateItem(event.payload.id, undefined);
      } else if (event.name === 'templateChanged') {
        const alert = changeAlert(
          views.get(event.payload.id),
          event.payload,
          options.sites?.() ?? [],
        );
        views.set(event.payload.id, event.payload);
        updateItem(event.payload.id, event.payload);
        if (alert) emit([alert]);
      }
    },
  };
}
