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
import type { Core, CoreOptions } from '../core/index.ts';
import { createLogger, fileSink, type Logger } from '../core/log.ts';
import { createDispatcher } from '../rpc/dispatch.ts';
import { createSenderCheck, forwardCoreEvents, registerIpcHandlers } from './ipc.ts';
import {
  installNavigationGuards,
  installPermissionHandlers,
  openExternalSafely,
} from './navigation.ts';
import type { NotificationCtor } from './notifications.ts';
import { resolveDataDir } from './paths.ts';
import { APP_SCHEME, createAppProtocolHandler, registerAppScheme } from './protocol.ts';
import { createSaveFile } from './save-file.ts';
import { openMainWindow, showMainWindow, type ShellState } from './app-window.ts';
import { startInTray } from './background.ts';
import type { TrayCtor } from './tray.ts';
import type { NativeImageFactory } from './tray-icons.ts';
import type { BrowserWindowCtor } from './window.ts';

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
