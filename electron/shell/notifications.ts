/**
 * Desktop notifications and the clock that keeps alerts current. The core's notifier decides
 * what to say and keeps repeated failures from flooding the desktop; this module only shows
 * each alert as a native notification, and ticks the notifier hourly and after the machine
 * wakes (when the engine also catches up on renewals that fell due during sleep).
 */
import type { App, Notification, NotificationConstructorOptions, PowerMonitor } from 'electron';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/log.ts';
import type { Alert } from '../core/notify/alerts.ts';

/**
 * The Windows AppUserModelID; it must equal `appId` in electron-builder.yml, the ID the
 * installer gives the Start menu shortcut, or Windows shows no notifications for Certdesk.
 */
export const WINDOWS_APP_USER_MODEL_ID = 'io.certdesk.app';

/** How often expiry warnings and the tray are re-evaluated while nothing else happens. */
export const TICK_INTERVAL_MS = 60 * 60_000;

/** At most this many shown notifications are kept referenced for their click handler. */
const LIVE_NOTIFICATIONS = 50;

/** The native notification for an alert: errors are critical (Linux keeps them on screen). */
export function notificationOptions(alert: Alert): NotificationConstructorOptions {
  return {
    title: alert.title,
    body: alert.body,
    urgency: alert.level === 'error' ? 'critical' : 'normal',
  };
}

/** Anything constructed like Electron's Notification; tests pass a stand-in. */
export interface NotificationCtor {
  new (options: NotificationConstructorOptions): Notification;
  /** False where the desktop has no notification service. */
  isSupported(): boolean;
}

/** What {@link registerNotificationHandlers} needs. */
export interface NotificationDeps {
  /** Electron's Notification. */
  Notification: NotificationCtor;
  /** The source of alerts, already filtered against flooding. */
  notifier: Pick<Core['notifier'], 'onAlerts'>;
  /** Shows (or recreates) the main window. */
  openWindow(): void;
  /** Shows the main window on one template's details. */
  openTemplate?(templateId: string): void;
  /** Where clicks, failures and unshown alerts are logged. */
  log: Logger;
}

/**
 * Shows every alert the notifier emits as one desktop notification; clicking it opens the
 * window. Where notifications are unsupported the alert is logged and the tray still shows
 * the state. Returns a function that stops showing alerts.
 */
export function registerNotificationHandlers(deps: NotificationDeps): () => void {
  const { log } = deps;
  // Electron drops the click handler of a notification that was garbage-collected, so the
  // shown ones stay referenced until closed or clicked (at most LIVE_NOTIFICATIONS).
  const live = new Set<Notification>();
  const show = (alert: Alert) => {
    if (!deps.Notification.isSupported()) {
      log.info('desktop notifications unsupported; alert not shown', {
        kind: alert.kind,
        templateId: alert.templateId,
      });
      return;
    }
    const notification = new deps.Notification(notificationOptions(alert));
    const forget = () => live.delete(notification);
    notification.on('click', () => {
      forget();
      if (alert.templateId && deps.openTemplate) deps.openTemplate(alert.templateId);
      else deps.openWindow();
      log.info('notification clicked', { kind: alert.kind, templateId: alert.templateId });
    });
    notification.on('close', forget);
    notification.on('failed', (_event, error) => {
      forget();
      log.warn('a desktop notification failed', { kind: alert.kind, error });
    });
    live.add(notification);
    if (live.size > LIVE_NOTIFICATIONS) live.delete(live.values().next().value as Notification);
    notification.show();
  };
  return deps.notifier.onAlerts((alerts) => {
    for (const alert of alerts) show(alert);
  });
}

/** What {@link startBackgroundClock} needs. */
export interface ClockDeps {
  /** Electron's powerMonitor, used after `ready` only. */
  powerMonitor: Pick<PowerMonitor, 'on' | 'removeListener'>;
  /** Runs what fell due while the machine slept. */
  engine: Pick<Core['engine'], 'wake'>;
  /** Re-evaluates expiry warnings and the tray. */
  notifier: Pick<Core['notifier'], 'tick'>;
  /** Where resumes and failed checks are logged. */
  log: Logger;
}

/**
 * Ticks the notifier once now and then every {@link TICK_INTERVAL_MS} (a timer that does not
 * keep the process alive), and on `resume` first lets the engine run what fell due during
 * sleep, then ticks. Returns a function that stops both; safe to call twice.
 */
export function startBackgroundClock(deps: ClockDeps): () => void {
  const tick = () => {
    try {
      deps.notifier.tick();
    } catch (error) {
      deps.log.error('the alert check failed', { error: String(error) });
    }
  };
  const resume = () => {
    deps.log.info('the system resumed; catching up on renewals');
    deps.engine.wake();
    tick();
  };
  deps.powerMonitor.on('resume', resume);
  const timer = setInterval(tick, TICK_INTERVAL_MS);
  timer.unref();
  tick();
  return () => {
    clearInterval(timer);
    deps.powerMonitor.removeListener('resume', resume);
  };
}

/** On Windows, sets the AppUserModelID notifications are filed under; elsewhere nothing. */
export function setNotificationIdentity(
  app: Pick<App, 'setAppUserModelId'>,
  platform: NodeJS.Platform,
): void {
  if (platform === 'win32') app.setAppUserModelId(WINDOWS_APP_USER_MODEL_ID);
}
