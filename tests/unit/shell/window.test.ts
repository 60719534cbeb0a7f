import { describe, expect, it, vi } from 'vitest';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import {
  createMainWindow,
  mainWindowOptions,
  type BrowserWindowCtor,
} from '../../../electron/shell/window.ts';
import { FakeBrowserWindow } from './electron-fakes.ts';

// The window module takes the BrowserWindow constructor as an argument; loading Electron
// itself at runtime would be a design error (and here it would try to download a binary).
vi.mock('electron', () => {
  throw new Error('electron/shell/window.ts must not load the electron module at runtime');
});

const PRELOAD = '/opt/certdesk/resources/app.asar/dist/electron/preload.cjs';
const Ctor = FakeBrowserWindow as unknown as BrowserWindowCtor;

function create(logLines: string[] = []): FakeBrowserWindow {
  const logger = createLogger([memorySink(logLines)]);
  createMainWindow(Ctor, { preloadPath: PRELOAD, logger });
  const window = FakeBrowserWindow.created.at(-1);
  if (!window) throw new Error('no window was created');
  return window;
}

describe('the main window (RELIABILITY E1)', () => {
  it('is created with exactly the hardened web preferences, every one stated', () => {
    const window = create();
    expect(window.options).toEqual({
      title: 'Certdesk',
      width: 1200,
      height: 800,
      minWidth: 720,
      minHeight: 480,
      show: false,
      webPreferences: {
        preload: PRELOAD,
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
      },
    });
  });

  it('enables no Blink features and sets no additional arguments for the renderer', () => {
    const prefs = mainWindowOptions(PRELOAD).webPreferences ?? {};
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs).not.toHaveProperty('partition');
  });

  it('loads app://certdesk/index.html and nothing else', () => {
    const window = create();
    expect(window.loadURL.mock.calls).toEqual([['app://certdesk/index.html']]);
  });

  it('stays hidden until the page is ready to show, then shows once', () => {
    const window = create();
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalledTimes(1);
  });

  it('logs a failed page load instead of throwing it', async () => {
    const lines: string[] = [];
    const logger = createLogger([memorySink(lines)]);
    const Failing = class extends FakeBrowserWindow {
      override readonly loadURL = vi.fn(async () => {
        throw new Error('ERR_FILE_NOT_FOUND');
      });
    } as unknown as BrowserWindowCtor;
    const window = createMainWindow(Failing, { preloadPath: PRELOAD, logger });
    const load = (window as unknown as FakeBrowserWindow).loadURL.mock.results[0]?.value;
    // Handlers run in the order they were attached: the window's own catch runs before this one.
    await (load as Promise<unknown>).catch(() => undefined);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'error',
      message: 'the main window could not load its page',
      error: 'ERR_FILE_NOT_FOUND',
    });
  });
});
