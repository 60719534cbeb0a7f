/**
 * The tray: Certdesk keeps running there with its window closed, so renewals continue, and
 * its icon shows the worst state at a glance. What the tray shows (state, items needing the
 * administrator) is decided by the core's notifier; this module only draws it. The menu is
 * built by the pure {@link trayMenuTemplate}, so tests read it without Electron.
 */
import type {
  App,
  BrowserWindow,
  Menu,
  MenuItemConstructorOptions,
  NativeImage,
  Tray,
} from 'electron';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/log.ts';
import type { TraySummary, TrayState } from '../core/notify/alerts.ts';
import { createTrayImage, type NativeImageFactory } from './tray-icons.ts';

/** What the tray menu's items do; the shell supplies them. */
export interface TrayHandlers {
  /** Shows the main window, recreating it if it was destroyed. */
  openWindow(): void;
  /** Shows the main window for one template of the summary. */
  openTemplate(templateId: string): void;
  /** Runs every due or failed renewal now (core.engine.renewDueNow). */
  renewDueNow(): void;
  /** Adds or removes Certdesk as a login item. */
  setStartAtLogin(enabled: boolean): void;
  /** Quits for real: the window closes and the store is closed. */
  quit(): void;
}

/** What the menu shows besides the summary. */
export interface TrayMenuOptions {
  /**
   * Whether Certdesk starts at login; null where Electron cannot set login items (Linux,
   * where `app.setLoginItemSettings` does nothing), and then the item is left out.
   */
  startAtLogin: boolean | null;
}

/** At most this many items needing attention are listed; the rest fold into one line. */
export const MAX_TRAY_ITEMS = 10;

/** The tooltip for a summary: fine, N need attention, or N failing (and M need attention). */
export function trayTooltip(summary: TraySummary): string {
  const failing = summary.items.filter((i) => i.state === 'failing').length;
  const attention = summary.items.length - failing;
  const needs = (n: number) => `${n} ${n === 1 ? 'needs' : 'need'} attention`;
  if (failing > 0) {
    return `Certdesk: ${failing} failing${attention > 0 ? `, ${needs(attention)}` : ''}`;
  }
  if (attention > 0) return `Certdesk: ${needs(attention)}`;
  return 'Certdesk: all certificates are fine';
}

/**
 * The tray menu, top to bottom: Open Certdesk; the items needing attention (most urgent
 * first, as the summary orders them, at most {@link MAX_TRAY_ITEMS} plus an "N more" line);
 * Renew due certificates now; Start at login (a checkbox, only where supported); Quit, last.
 */
export function trayMenuTemplate(
  summary: TraySummary,
  handlers: TrayHandlers,
  options: TrayMenuOptions,
): MenuItemConstructorOptions[] {
  const menu: MenuItemConstructorOptions[] = [
    { label: 'Open Certdesk', click: () => handlers.openWindow() },
    { type: 'separator' },
  ];
  const shown = summary.items.slice(0, MAX_TRAY_ITEMS);
  for (const item of shown) {
    menu.push({ label: item.label, click: () => handlers.openTemplate(item.templateId) });
  }
  const hidden = summary.items.length - shown.length;
  if (hidden > 0) menu.push({ label: `${hidden} more…`, click: () => handlers.openWindow() });
  if (shown.length > 0) menu.push({ type: 'separator' });
  menu.push({ label: 'Renew due certificates now', click: () => handlers.renewDueNow() });
  if (options.startAtLogin !== null) {
    menu.push({
      label: 'Start at login',
      type: 'checkbox',
      checked: options.startAtLogin,
      click: (item) => handlers.setStartAtLogin(item.checked),
    });
  }
  menu.push({ type: 'separator' }, { label: 'Quit', click: () => handlers.quit() });
  return menu;
}

/** Whether Electron can set login items on this platform (macOS and Windows only). */
export function supportsLoginItems(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/** Anything constructed like Electron's Tray; tests pass a stand-in. */
export type TrayCtor = new (image: NativeImage) => Tray;

/** What {@link createCertdeskTray} needs. */
export interface TrayDeps {
  /** Electron's Tray; constructed once. */
  Tray: TrayCtor;
  /** Builds the context menu from {@link trayMenuTemplate}. */
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  /** Turns the drawn icons into images. */
  nativeImage: NativeImageFactory;
  /** Quit, and the login item behind "Start at login". */
  app: Pick<App, 'quit' | 'getLoginItemSettings' | 'setLoginItemSettings'>;
  /** The source of the summary: read once, then followed. */
  notifier: Pick<Core['notifier'], 'tray' | 'onTray'>;
  /** Runs "Renew due certificates now". */
  engine: Pick<Core['engine'], 'renewDueNow'>;
  /** Shows (or recreates) the main window. */
  openWindow(): void;
  /** Shows the main window on one template's details. */
  openTemplate?(templateId: string): void;
  /** Decides login items and the meaning of a click on the icon. */
  platform: NodeJS.Platform;
  /** Where chosen items and failed actions are logged. */
  log: Logger;
}

/** The running tray. */
export interface CertdeskTray {
  /** Electron's tray; kept referenced here so it is never garbage-collected. */
  readonly tray: Tray;
  /** Stops following the notifier and removes the icon. Safe to call twice. */
  destroy(): void;
}

/** Runs a menu action; a failure is logged instead of surfacing as an uncaught exception. */
function guarded<A extends unknown[]>(log: Logger, action: string, run: (...args: A) => void) {
  return (...args: A) => {
    try {
      run(...args);
    } catch (error) {
      log.error('a tray action failed', { action, error: String(error) });
    }
  };
}

/** The menu handlers, wired to the app, the engine and the window. */
function trayHandlers(deps: TrayDeps, redraw: () => void): TrayHandlers {
  const { app, log } = deps;
  return {
    openWindow: guarded(log, 'open', () => deps.openWindow()),
    openTemplate: guarded(log, 'open-template', (templateId: string) => {
      if (deps.openTemplate) deps.openTemplate(templateId);
      else deps.openWindow();
      log.info('tray item chosen', { templateId });
    }),
    renewDueNow: guarded(log, 'renew-due-now', () => {
      log.info('renewing due certificates now, from the tray');
      deps.engine.renewDueNow();
    }),
    setStartAtLogin: guarded(log, 'start-at-login', (enabled: boolean) => {
      app.setLoginItemSettings({ openAtLogin: enabled });
      log.info('start at login changed', { enabled });
      redraw(); // macOS may ask for approval first: show what the system now reports
    }),
    quit: () => app.quit(),
  };
}

/**
 * Creates the one tray icon and keeps it in step with `notifier.onTray`: icon, tooltip and
 * menu are redrawn on every summary. On Windows a click on the icon opens the window (the
 * menu is on the right button there); on macOS and Linux a click opens the menu.
 */
export function createCertdeskTray(deps: TrayDeps): CertdeskTray {
  const images = new Map<TrayState, NativeImage>();
  const image = (state: TrayState) => {
    const made = images.get(state) ?? createTrayImage(deps.nativeImage, state);
    images.set(state, made);
    return made;
  };
  let summary = deps.notifier.tray();
  const tray = new deps.Tray(image(summary.state));
  const loginItems = supportsLoginItems(deps.platform);
  const draw = () => {
    const startAtLogin = loginItems ? deps.app.getLoginItemSettings().openAtLogin : null;
    tray.setImage(image(summary.state));
    tray.setToolTip(trayTooltip(summary));
    tray.setContextMenu(
      deps.Menu.buildFromTemplate(trayMenuTemplate(summary, handlers, { startAtLogin })),
    );
  };
  const handlers = trayHandlers(deps, draw);
  if (deps.platform === 'win32') tray.on('click', handlers.openWindow);
  draw();
  const unsubscribe = deps.notifier.onTray((next) => {
    summary = next;
    draw();
  });
  let destroyed = false;
  return {
    tray,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      unsubscribe();
      tray.destroy();
    },
  };
}

/**
 * Closing the window hides it while `shouldHide()` is true (the tray exists and the app is
 * not quitting), so Certdesk keeps running and renewing in the tray; otherwise the window
 * closes as usual.
 */
export function hideOnClose(
  window: Pick<BrowserWindow, 'on' | 'hide'>,
  shouldHide: () => boolean,
): void {
  window.on('close', (event) => {
    if (!shouldHide()) return;
    event.preventDefault();
    window.hide();
  });
}
