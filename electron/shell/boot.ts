/**
 * The start-up checklist of the Electron app, with Electron's modules passed in so it can be
 * exercised with stand-ins. `bootCertdesk` does what must happen before `ready` (scheme,
 * data folder, single-instance lock); `startCertdesk` runs on `ready` and opens the core,
 * the protocol, the guards, the IPC handlers and the window, in that order, so no page can
 * load or call before every check is in place; then the tray, desktop notifications and the
 * alert clock, so Certdesk keeps running and renewing with its window closed.
 */
import { join } from 'node:path';
import type {
  App,
  BrowserWindow,
  Dialog,
  IpcMain,
  Menu,
  PowerMonitor,
  Protocol,
  Session,
  Shell,
} from 'electron';
import { isCertdeskError } from '../core/errors.ts';
import { EVENT_CHANNELS } from '../../shared/channels.ts';
import type { Core, CoreOptions } from '../core/index.ts';
import { createLogger, fileSink, type Logger } from '../core/log.ts';
import { createDispatcher } from '../rpc/dispatch.ts';
import { createSenderCheck, forwardCoreEvents, registerIpcHandlers } from './ipc.ts';
import {
  installNavigationGuards,
  installPermissionHandlers,
  openExternalSafely,
} from './navigation.ts';
import {
  registerNotificationHandlers,
  setNotificationIdentity,
  startBackgroundClock,
  type NotificationCtor,
} from './notifications.ts';
import { resolveDataDir } from './paths.ts';
import { APP_SCHEME, createAppProtocolHandler, registerAppScheme } from './protocol.ts';
import { createSaveFile } from './save-file.ts';
import { createCertdeskTray, hideOnClose, type CertdeskTray, type TrayCtor } from './tray.ts';
import type { NativeImageFactory } from './tray-icons.ts';
import { createMainWindow, type BrowserWindowCtor } from './window.ts';

/** The Electron modules the shell uses; main passes the real ones. */
export interface ShellElectron {
  /** Lifecycle, paths, the single-instance lock and quitting. */
  app: Pick<
    App,
    | 'on'
    | 'quit'
    | 'exit'
    | 'whenReady'
    | 'getPath'
    | 'setPath'
    | 'getVersion'
    | 'requestSingleInstanceLock'
    | 'getLoginItemSettings'
    | 'setLoginItemSettings'
    | 'setAppUserModelId'
  >;
  /** Registers the `app:` scheme before ready and serves it after. */
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  /** Read only after `ready`: Electron creates the default session then. */
  session: {
    readonly defaultSession: Pick<
      Session,
      'setPermissionRequestHandler' | 'setPermissionCheckHandler'
    >;
  };
  /** Where the contract's handlers are registered. */
  ipcMain: Pick<IpcMain, 'handle'>;
  /** The export save dialog and the start-up error box. */
  dialog: Pick<Dialog, 'showSaveDialog' | 'showErrorBox'>;
  /** Opens checked https links in the system browser. */
  shell: Pick<Shell, 'openExternal'>;
  /** Constructs the main window. */
  BrowserWindow: BrowserWindowCtor;
  /** Constructs the one tray icon. */
  Tray: TrayCtor;
  /** Builds the tray menu. */
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  /** Turns the drawn tray icons into images. */
  nativeImage: NativeImageFactory;
  /** Desktop notifications. */
  Notification: NotificationCtor;
  /** Read only after `ready`; its `resume` event triggers the catch-up after sleep. */
  powerMonitor: Pick<PowerMonitor, 'on' | 'removeListener'>;
}

/** Everything the boot needs. */
export interface BootOptions {
  /** Electron's modules (stand-ins in tests). */
  electron: ShellElectron;
  /** Opens the core; throws CertdeskError when the store cannot be used. */
  openCore: (options: CoreOptions) => Promise<Core>;
  /** The process arguments, searched for `--data-dir`. */
  argv: readonly string[];
  /** The environment, searched for CERTDESK_DATA_DIR. */
  env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of dist/electron/preload.cjs. */
  preloadPath: string;
  /** Absolute path of dist/renderer. */
  rendererDir: string;
  /** The OS, deciding login items and tray clicks; process.platform when left out. */
  platform?: NodeJS.Platform;
}

/** The log file inside a data folder. */
export function logFilePath(dataDir: string): string {
  return join(dataDir, 'logs', 'certdesk.log');
}

const START_FAILED = 'Certdesk cannot start';

/** Tells the administrator why start-up stopped, in a native box, and quits. */
function stopWithMessage(electron: ShellElectron, message: string): void {
  electron.dialog.showErrorBox(START_FAILED, message);
  electron.app.quit();
}

/** Brings the existing window forward (also when hidden in the tray). */
function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** The running app's state that outlives start-up. */
export interface ShellState {
  /** The main window, null before it exists and after it closed. */
  window: BrowserWindow | null;
  /** The open core, null until it opened. */
  core: Core | null;
  /** True once the core closed on quit. */
  coreClosed: boolean;
  /** True from `before-quit` on: closing the window then really closes it. */
  quitting: boolean;
  /** The tray, null before start-up finished or when the desktop refused one. */
  tray: CertdeskTray | null;
}

/** Creates the main window; closing it hides it in the tray while the tray exists. */
function openMainWindow(options: BootOptions, state: ShellState, log: Logger): BrowserWindow {
  const window = createMainWindow(options.electron.BrowserWindow, {
    preloadPath: options.preloadPath,
    logger: log,
  });
  state.window = window;
  window.on('closed', () => {
    if (state.window === window) state.window = null;
  });
  // Windows ends the session without `before-quit`; let the window close then.
  window.on('session-end', () => {
    state.quitting = true;
  });
  hideOnClose(window, () => !state.quitting && state.tray !== null);
  return window;
}

/**
 * Shows the main window: a second start, the tray, a notification click, the macOS dock.
 * Recreates it when it was destroyed; does nothing before the core opened or while quitting.
 */
function showMainWindow(options: BootOptions, state: ShellState, log: Logger): void {
  if (state.window && !state.window.isDestroyed()) focusWindow(state.window);
  else if (state.core && !state.quitting) openMainWindow(options, state, log);
}

/** Sends an event to the window's page, after it has loaded when it was just (re)created. */
function sendWhenLoaded(window: BrowserWindow | null, channel: string, payload: unknown): void {
  if (!window || window.isDestroyed()) return;
  const contents = window.webContents;
  if (contents.isLoading()) contents.once('did-finish-load', () => contents.send(channel, payload));
  else contents.send(channel, payload);
}

/** Closes the store before the process exits, so the last write and the lock are released. */
function closeCoreOnQuit(app: ShellElectron['app'], state: ShellState, log: Logger): void {
  app.on('will-quit', (event) => {
    if (!state.core || state.coreClosed) return;
    event.preventDefault();
    const core = state.core;
    core
      .close()
      .catch((error: unknown) =>
        log.error('the store did not close cleanly', { error: String(error) }),
      )
      .finally(() => {
        state.coreClosed = true;
        app.quit();
      });
  });
}

/** Opens the core; on a CertdeskError (store locked, newer store version) explains and quits. */
async function openCoreOrStop(
  options: BootOptions,
  dataDir: string,
  root: Logger,
  getWindow: () => BrowserWindow | null,
): Promise<Core | null> {
  const { electron } = options;
  const log = root.child('shell');
  try {
    return await options.openCore({
      dataDir,
      host: 'electron',
      version: electron.app.getVersion(),
      logger: root,
      saveFile: createSaveFile(electron.dialog, getWindow, root.child('export')),
      openExternal: (url) => openExternalSafely(electron.shell, url, log),
    });
  } catch (error) {
    if (isCertdeskError(error)) {
      log.error('the core could not open', { code: error.code, detail: error.detail });
      stopWithMessage(electron, error.message);
    } else {
      log.error('the core failed unexpectedly', {
        error: error instanceof Error ? error.stack : String(error),
      });
      stopWithMessage(
        electron,
        `Certdesk hit an unexpected error while starting; ${logFilePath(dataDir)} has the details.`,
      );
    }
    return null;
  }
}

/**
 * Runs on `ready`: core, `app:` protocol, permission handlers, IPC handlers, window, event
 * forwarding. Resolves once the window exists, or after the error box when the core refused.
 */
export async function startCertdesk(
  options: BootOptions,
  dataDir: string,
  root: Logger,
  state: ShellState,
): Promise<void> {
  const { electron } = options;
  const log = root.child('shell');
  const getWindow = () => (state.window && !state.window.isDestroyed() ? state.window : null);

  const core = await openCoreOrStop(options, dataDir, root, getWindow);
  if (!core) return;
  state.core = core;
  closeCoreOnQuit(electron.app, state, log);

  electron.protocol.handle(APP_SCHEME, createAppProtocolHandler(options.rendererDir));
  installPermissionHandlers(electron.session.defaultSession);
  const dispatch = createDispatcher(core.handlers, root.child('rpc'));
  registerIpcHandlers(electron.ipcMain, dispatch, createSenderCheck(getWindow), root.child('ipc'));

  openMainWindow(options, state, log);
  forwardCoreEvents(core.events, getWindow);
  startInTray(options, core, state, root);
  log.info('Certdesk started', { dataDir });
}

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
function startInTray(options: BootOptions, core: Core, state: ShellState, root: Logger): void {
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

/**
 * Boots the app: what must happen before `ready`, then {@link startCertdesk} on `ready`.
 * Returns the shell state (for tests) or null when this process quits at once: a bad
 * `--data-dir`, or another Certdesk already holds this data folder (it gets focused).
 */
export function bootCertdesk(
  options: BootOptions,
): { state: ShellState; ready: Promise<void> } | null {
  const { app, protocol } = options.electron;

  registerAppScheme(protocol);

  let dataDir: string;
  try {
    const choice = resolveDataDir(options.argv, options.env, app.getPath('userData'));
    dataDir = choice.path;
    // Chromium's profile and the single-instance lock follow the data folder.
    if (choice.source !== 'default') app.setPath('userData', dataDir);
  } catch (error) {
    options.electron.dialog.showErrorBox(
      START_FAILED,
      error instanceof Error ? error.message : String(error),
    );
    app.exit(1);
    return null;
  }

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  const state: ShellState = {
    window: null,
    core: null,
    coreClosed: false,
    quitting: false,
    tray: null,
  };
  const root = createLogger([fileSink(logFilePath(dataDir))]);
  const log = root.child('shell');
  app.on('second-instance', () => showMainWindow(options, state, log));
  installNavigationGuards(app, root.child('navigation'));
  app.on('before-quit', () => {
    state.quitting = true;
  });
  // With a tray the window only hides, so this fires only when there is no tray (the desktop
  // refused one, or start-up stopped before it): then closing the window quits.
  app.on('window-all-closed', () => {
    if (!state.tray) app.quit();
  });

  const ready = app.whenReady().then(() => startCertdesk(options, dataDir, root, state));
  ready.catch((error: unknown) => {
    log.error('start-up failed', { error: error instanceof Error ? error.stack : String(error) });
    stopWithMessage(
      options.electron,
      `Certdesk hit an unexpected error while starting; ${logFilePath(dataDir)} has the details.`,
    );
  });
  return { state, ready };
}
