/**
 * The main window over the app's life: created once the core is open, hidden (not closed) into
 * the tray, brought back or recreated by a second start, the tray, a notification or the macOS
 * dock, and sent events only once its page has loaded.
 */
import type { BrowserWindow } from 'electron';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/log.ts';
import { hideOnClose, type CertdeskTray } from './tray.ts';
import { createMainWindow, type BrowserWindowCtor } from './window.ts';

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

/** What creating the main window needs (the boot options have it). */
export interface WindowSource {
  electron: { BrowserWindow: BrowserWindowCtor };
  /** Absolute path of dist/electron/preload.cjs. */
  preloadPath: string;
}

/** Brings the existing window forward (also when hidden in the tray). */
function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Creates the main window; closing it hides it in the tray while the tray exists. */
export function openMainWindow(
  options: WindowSource,
  state: ShellState,
  log: Logger,
): BrowserWindow {
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
export function showMainWindow(options: WindowSource, state: ShellState, log: Logger): void {
  if (state.window && !state.window.isDestroyed()) focusWindow(state.window);
  else if (state.core && !state.quitting) openMainWindow(options, state, log);
}

/** Sends an event to the window's page, after it has loaded when it was just (re)created. */
export function sendWhenLoaded(
  window: BrowserWindow | null,
  channel: string,
  payload: unknown,
): void {
  if (!window || window.isDestroyed()) return;
  const contents = window.webContents;
  if (contents.isLoading()) contents.once('did-finish-load', () => contents.send(channel, payload));
  else contents.send(channel, payload);
}
