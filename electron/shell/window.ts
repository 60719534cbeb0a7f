/**
 * The one main window. Its web preferences are written out in full, including the values
 * that are Electron's defaults today, because defaults drift between majors (RELIABILITY E1):
 * the renderer gets no Node, runs sandboxed in an isolated context, and talks to main only
 * through the preload's `window.certdesk`.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { Logger } from '../core/log.ts';
import { APP_ENTRY_URL } from './protocol.ts';

/** The window title, also the product name. */
export const WINDOW_TITLE = 'Certdesk';

/** Anything constructed like Electron's BrowserWindow; tests pass a stand-in. */
export type BrowserWindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** What {@link createMainWindow} needs besides the constructor. */
export interface MainWindowOptions {
  /** Absolute path of the one built preload file (dist/electron/preload.cjs). */
  preloadPath: string;
  /** Where a failed page load is reported; the window stays open either way. */
  logger?: Logger;
}

/** The hardened web preferences of the main window, every security-relevant key explicit. */
export function mainWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

/** The constructor options: hidden until the first paint, so no blank frame flashes. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: WINDOW_TITLE,
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: mainWebPreferences(preloadPath),
  };
}

/**
 * Creates the main window, shows it on `ready-to-show` and loads `app://certdesk/index.html`.
 * A load failure is logged, not thrown: the window exists and the administrator can reload.
 */
export function createMainWindow(
  Ctor: BrowserWindowCtor,
  options: MainWindowOptions,
): BrowserWindow {
  const window = new Ctor(mainWindowOptions(options.preloadPath));
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    options.logger?.error('the main window could not load its page', {
      url: APP_ENTRY_URL,
      error: error instanceof Error ? error.message : String(error),
    });
  });
  return window;
}
