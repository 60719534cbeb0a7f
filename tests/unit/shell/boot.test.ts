import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, INVOKE_METHODS, EVENT_CHANNELS } from '../../../shared/channels.ts';
import type { CoreHandlers } from '../../../shared/contract.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { createCoreEvents, type CoreEvents } from '../../../electron/core/events.ts';
import type { Core, CoreOptions } from '../../../electron/core/index.ts';
import { bootCertdesk, logFilePath, type ShellElectron } from '../../../electron/shell/boot.ts';
import type { BrowserWindowCtor } from '../../../electron/shell/window.ts';
import { FakeApp, FakeBrowserWindow, FakeIpcMain, invokeEvent } from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/boot.ts must take Electron as an argument, not import it');
});

let userData: string;
beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'certdesk-boot-'));
  FakeBrowserWindow.created = [];
});
afterEach(() => rmSync(userData, { recursive: true, force: true }));

/** Stand-ins for every Electron module the boot touches, recording the order of calls. */
function fakeElectron() {
  const order: string[] = [];
  const app = new FakeApp();
  app.paths.set('userData', userData);
  const ipcMain = new FakeIpcMain();
  const electron = {
    app,
    ipcMain,
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => order.push('registerSchemesAsPrivileged')),
      handle: vi.fn((scheme: string) => order.push(`handle ${scheme}`)),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(() => order.push('setPermissionRequestHandler')),
        setPermissionCheckHandler: vi.fn(),
      },
    },
    dialog: { showSaveDialog: vi.fn(), showErrorBox: vi.fn() },
    shell: { openExternal: vi.fn(async () => undefined) },
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(options: unknown) {
        super(options);
        order.push('new BrowserWindow');
      }
    } as unknown as BrowserWindowCtor,
  };
  app.requestSingleInstanceLock.mockImplementation(() => {
    order.push('requestSingleInstanceLock');
    return app.gotLock;
  });
  return { electron, app, ipcMain, order, asShell: electron as unknown as ShellElectron };
}

/** A core whose handlers answer fixed values; the real event source. */
function fakeCore() {
  const handlers: Record<string, unknown> = {};
  for (const method of INVOKE_METHODS) handlers[method] = vi.fn(async () => ({ from: method }));
  const events = createCoreEvents();
  const close = vi.fn(async () => undefined);
  return { handlers: handlers as CoreHandlers, events, close, store: {} } as unknown as Omit<
    Core,
    'events' | 'close'
  > & { events: CoreEvents; close: typeof close };
}

function boot(
  ctx: ReturnType<typeof fakeElectron>,
  openCore: (o: CoreOptions) => Promise<Core>,
  argv: string[] = [],
) {
  return bootCertdesk({
    electron: ctx.asShell,
    openCore,
    argv: ['/usr/bin/electron', '.', ...argv],
    env: {},
    preloadPath: '/app/dist/electron/preload.cjs',
    rendererDir: '/app/dist/renderer',
  });
}

describe('booting the Electron app', () => {
  it('registers the app scheme and takes the lock before ready, then wires everything in order', async () => {
    const ctx = fakeElectron();
    const core = fakeCore();
    const openCore = vi.fn(async (_options: CoreOptions) => core);
    const booted = boot(ctx, openCore);
    expect(ctx.order).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock']);
    expect(openCore).not.toHaveBeenCalled();

    ctx.app.becomeReady();
    await booted?.ready;

    expect(ctx.order).toEqual([
      'registerSchemesAsPrivileged',
      'requestSingleInstanceLock',
      'handle app',
      'setPermissionRequestHandler',
      'new BrowserWindow',
    ]);
    expect([...ctx.ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    expect(openCore.mock.calls[0]?.[0]).toMatchObject({
      dataDir: userData,
      host: 'electron',
      version: '0.1.0-test',
    });
    const window = FakeBrowserWindow.created[0];
    expect(window?.options).toMatchObject({
      webPreferences: { preload: '/app/dist/electron/preload.cjs' },
    });
    expect(ctx.app.count('web-contents-created')).toBe(1);
    expect(existsSync(logFilePath(userData))).toBe(true);
  });

  it('answers calls from the window through the core, and forwards core events to it', async () => {
    const ctx = fakeElectron();
    const core = fakeCore();
    const booted = boot(ctx, async () => core);
    ctx.app.becomeReady();
    await booted?.ready;
    const window = FakeBrowserWindow.created[0] as FakeBrowserWindow;

    const event = invokeEvent(window.webContents, window.webContents.mainFrame);
    expect(await ctx.ipcMain.call(INVOKE_CHANNELS.listTemplates, event)).toEqual({
      ok: true,
      value: { from: 'listTemplates' },
    });
    core.events.emit('templateRemoved', { id: 't1' });
    expect(window.webContents.send.mock.calls).toEqual([
      [EVENT_CHANNELS.templateRemoved, { id: 't1' }],
    ]);
  });

  it('uses --data-dir for the store, the log and Chromium profile', async () => {
    const ctx = fakeElectron();
    const dataDir = join(userData, 'portable');
    const openCore = vi.fn(async (_options: CoreOptions) => fakeCore());
    const booted = boot(ctx, openCore, [`--data-dir=${dataDir}`]);
    expect(ctx.app.setPath).toHaveBeenCalledWith('userData', dataDir);
    ctx.app.becomeReady();
    await booted?.ready;
    expect(openCore.mock.calls[0]?.[0].dataDir).toBe(dataDir);
    expect(existsSync(logFilePath(dataDir))).toBe(true);
  });

  it('explains a --data-dir without a folder and exits before taking the lock', () => {
    const ctx = fakeElectron();
    expect(boot(ctx, vi.fn(), ['--data-dir'])).toBeNull();
    expect(ctx.electron.dialog.showErrorBox).toHaveBeenCalledWith(
      'Certdesk cannot start',
      expect.stringContaining('--data-dir needs a folder'),
    );
    expect(ctx.app.exit).toHaveBeenCalledWith(1);
    expect(ctx.app.requestSingleInstanceLock).not.toHaveBeenCalled();
  });

  it('quits a second instance at once, without opening the store', () => {
    const ctx = fakeElectron();
    ctx.app.gotLock = false;
    const openCore = vi.fn();
    expect(boot(ctx, openCore)).toBeNull();
    expect(ctx.app.quit).toHaveBeenCalledTimes(1);
    expect(ctx.app.count('ready')).toBe(0);
    expect(openCore).not.toHaveBeenCalled();
  });

  it('brings the window forward when a second instance starts', async () => {
    const ctx = fakeElectron();
    const booted = boot(ctx, async () => fakeCore());
    ctx.app.becomeReady();
    await booted?.ready;
    const window = FakeBrowserWindow.created[0] as FakeBrowserWindow;
    window.minimized = true;
    ctx.app.emit('second-instance', {}, ['electron', '.'], '/');
    expect(window.restore).toHaveBeenCalledTimes(1);
    expect(window.focus).toHaveBeenCalledTimes(1);
  });

  it('shows the sentence of a CertdeskError from the core and quits without a window', async () => {
    const ctx = fakeElectron();
    const message = 'Another Certdesk is using this data folder; close it first.';
    const booted = boot(ctx, async () => {
      throw new CertdeskError({ code: 'store-locked', message });
    });
    ctx.app.becomeReady();
    await booted?.ready;
    expect(ctx.electron.dialog.showErrorBox).toHaveBeenCalledWith('Certdesk cannot start', message);
    expect(ctx.app.quit).toHaveBeenCalledTimes(1);
    expect(FakeBrowserWindow.created).toHaveLength(0);
    expect(ctx.ipcMain.handlers.size).toBe(0);
    expect(ctx.electron.protocol.handle).not.toHaveBeenCalled();
  });

  it('shows a generic sentence, not the internals, for an unexpected core failure', async () => {
    const ctx = fakeElectron();
    const booted = boot(ctx, async () => {
      throw new TypeError('secret-ish internals at /home/admin');
    });
    ctx.app.becomeReady();
    await booted?.ready;
    const [, shown] = ctx.electron.dialog.showErrorBox.mock.calls[0] as unknown as [string, string];
    expect(shown).toContain(logFilePath(userData));
    expect(shown).not.toContain('secret-ish');
    expect(readFileSync(logFilePath(userData), 'utf8')).toContain('secret-ish internals');
  });

  it('quits when the last window closes and closes the store before the process exits', async () => {
    const ctx = fakeElectron();
    const core = fakeCore();
    const booted = boot(ctx, async () => core);
    ctx.app.becomeReady();
    await booted?.ready;

    ctx.app.emit('window-all-closed');
    expect(ctx.app.quit).toHaveBeenCalledTimes(1);

    const quitAgain = new Promise<void>((resolve) => {
      ctx.app.quit.mockImplementation(() => resolve());
    });
    const willQuit = { preventDefault: vi.fn() };
    ctx.app.emit('will-quit', willQuit);
    expect(willQuit.preventDefault).toHaveBeenCalledTimes(1);
    await quitAgain;
    expect(core.close).toHaveBeenCalledTimes(1);
    expect(booted?.state.coreClosed).toBe(true);
    expect(ctx.app.quit).toHaveBeenCalledTimes(2);

    const secondWillQuit = { preventDefault: vi.fn() };
    ctx.app.emit('will-quit', secondWillQuit);
    expect(secondWillQuit.preventDefault).not.toHaveBeenCalled();
    expect(core.close).toHaveBeenCalledTimes(1);
  });
});
