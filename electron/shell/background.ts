/**
 * What keeps Certdesk working with its window closed: the tray icon and menu, desktop
 * notifications and the background clock (alerts, catch-up after sleep). All of it stops when
 * the app quits.
 */
import { EVENT_CHANNELS } from '../../shared/channels.ts';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/log.ts';
import { sendWhenLoaded, showMainWindow, type ShellState } from './app-window.ts';
import type { BootOptions } from './boot.ts';
import {
  registerNotificationHandlers,
  setNotificationIdentity,
  startBackgroundClock,
} from './notifications.ts';
import { createCertdeskTray } from './tray.ts';

/** The tray (or null when the desktop refuses one: the app then quits with its window). */
function createTrayOrNull(
  options: BootOptions,
  core: Core,
  show: () => void,
  openTemplate: (id: string) => void,
  log: Logger,
) {
  const { electron } = options;
  try {
    return createCertdeskTray({
      ...electron,
      notifier: core.notifier,
      engine: core.engine,
      openWindow: show,
      openTemplate,
      platform: options.platform ?? process.platform,
      log,
    });
  } catch (error) {
    log.warn('no tray icon; Certdesk quits when its window closes', { error: String(error) });
    return null;
  }
}

/** Tray, desktop notifications and the alert clock; all stop when the app quits. */
export function startInTray(
  options: BootOptions,
  core: Core,
  state: ShellState,
  root: Logger,
): void {
  const { app } = options.electron;
  const log = root.child('tray');
  const show = () => showMainWindow(options, state, log);
  const openTemplate = (id: string) => {
    show();
    sendWhenLoaded(state.window, EVENT_CHANNELS.openTemplate, { id });
  };
  state.tray = createTrayOrNull(options, core, show, openTemplate, log);
  setNotificationIdentity(app, options.platform ?? process.platform);
  const stopNotifications = registerNotificationHandlers({
    Notification: options.electron.Notification,
    notifier: core.notifier,
    openWindow: show,
    openTemplate,
    log: root.child('notifications'),
  });
  const stopClock = startBackgroundClock({
    powerMonitor: options.electron.powerMonitor,
    engine: core.engine,
    notifier: core.notifier,
    log: root.child('notifications'),
  });
  app.on('activate', show);
  app.on('will-quit', () => {
    stopClock();
    stopNotifications();
  });
}
