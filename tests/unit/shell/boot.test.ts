import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, INVOKE_METHODS, EVENT_CHANNELS } from '../../../shared/channels.ts';
import type { CoreHandlers } from '../../../shared/contract.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { createCoreEvents, type CoreEvents } from '../../../electron/core/events.ts';
import { createNotifier } from '../../../electron/core/notify/notifier.ts';
import type { Core, CoreOptions } from '../../../electron/core/index.ts';
import { bootCertdesk, logFilePath, type ShellElectron } from '../../../electron/shell/boot.ts';
import type { BrowserWindowCtor } from '../../../electron/shell/window.ts';
import {
  FakeApp,
  FakeBrowserWindow,
  FakeEmitter,
  FakeIpcMain,
  FakeMenu,
  FakeNativeImage,
  FakeNotification,
  FakeTray,
  invokeEvent,
} from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/boot.ts must take Electron as an argument, not import it');
});

let userData: string;
beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'certdesk-boot-'));
  FakeBrowserWindow.created = [];
  FakeTray.created = [];
  FakeNotification.created = [];
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
    Tray: class extends FakeTray {
      constructor(image: FakeNativeImage) {
        super(image);
        order.push('new Tray');
      }
    } as unknown,
    Menu: FakeMenu,
    nativeImage: FakeNativeImage,
    Notification: FakeNotification,
    powerMonitor: new FakeEmitter(),
  };
  app.requestSingleInstanceLock.mockImplementation(() => {
    order.push('requestSingleInstanceLock');
    return app.gotLock;
  });
  return { electron, app, ipcMain, order, asShell: electron as unknown as ShellElectron };
}

/** A core whose handlers answer fixed values and whose engine records calls; real notifier. */
function fakeCore() {
  const handlers: Record<string, unknown> = {};
  for (const method of INVOKE_METHODS) handlers[method] = vi.fn(async () => ({ from: method }));
  const events = createCoreEvents();
  const close = vi.fn(async () => undefined);
  const notifier = createNotifier({ list: () => [], now: () => new Date() });
  events.on((event) => notifier.handle(event));
  const engine = { wake: vi.fn(), renewDueNow: vi.fn() };
  return {
    handlers: handlers as CoreHandlers,
    events,
    close,
    store: {},
    notifier,
    engine,
  } as unknown as Omit<Core, 'events' | 'close' | 'engine'> & {
    events: CoreEvents;
    close: typeof close;
    engine: Core['engine'] & typeof engine;
  };
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
      'new Tray',
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

  /** Boots with a core and returns the first window, ready. */
  async function started(ctx = fakeElectron(), core = fakeCore()) {
    const booted = boot(ctx, async () => core);
    ctx.app.becomeReady();
    await booted?.ready;
    const window = FakeBrowserWindow.created[0] as FakeBrowserWindow;
    const tray = FakeTray.created[0];
    return { ctx, core, booted, window, tray };
  }

  it('keeps running in the tray when the window closes, and shows it again from the tray', async () => {
    const { ctx, window, tray } = await started();
    expect(window.requestClose()).toBe(false);
    expect(window.hide).toHaveBeenCalledTimes(1);
    ctx.app.emit('window-all-closed');
    expect(ctx.app.quit).not.toHaveBeenCalled();

    tray?.menu?.click('Open Certdesk');
    expect(window.show).toHaveBeenCalledTimes(1);
    expect(window.focus).toHaveBeenCalledTimes(1);
    expect(FakeBrowserWindow.created).toHaveLength(1);
  });

  it('quits for real from the tray: the window closes and the store closes before exit', async () => {
    const { ctx, core, booted, window, tray } = await started();
    tray?.menu?.click('Quit');
    expect(ctx.app.quit).toHaveBeenCalledTimes(1);

    // What Electron does after app.quit(): before-quit, close every window, then will-quit.
    ctx.app.emit('before-quit', { preventDefault: vi.fn() });
    expect(window.requestClose()).toBe(true);
    expect(booted?.state.window).toBeNull();
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
    expect(ctx.electron.powerMonitor.count('resume')).toBe(0);

    const secondWillQuit = { preventDefault: vi.fn() };
    ctx.app.emit('will-quit', secondWillQuit);
    expect(secondWillQuit.preventDefault).not.toHaveBeenCalled();
    expect(core.close).toHaveBeenCalledTimes(1);
  });

  it('lets the window close when Windows ends the session', async () => {
    const { window } = await started();
    window.emit('session-end', {});
    expect(window.requestClose()).toBe(true);
  });

  it('quits with the window when the desktop refuses a tray icon', async () => {
    const ctx = fakeElectron();
    ctx.electron.Tray = class {
      constructor() {
        throw new Error('no status notifier host');
      }
    } as never;
    const { window, booted } = await started(ctx);
    expect(booted?.state.tray).toBeNull();
    expect(window.requestClose()).toBe(true);
    ctx.app.emit('window-all-closed');
    expect(ctx.app.quit).toHaveBeenCalledTimes(1);
  });

  it('recreates a destroyed window on activate, and the new window may call the core', async () => {
    const { ctx, window } = await started();
    window.destroyed = true;
    window.emit('closed');
    ctx.app.emit('activate', {}, false);
    expect(FakeBrowserWindow.created).toHaveLength(2);
    const second = FakeBrowserWindow.created[1] as FakeBrowserWindow;
    const event = invokeEvent(second.webContents, second.webContents.mainFrame);
    expect(await ctx.ipcMain.call(INVOKE_CHANNELS.listTemplates, event)).toMatchObject({
      ok: true,
    });
    expect(second.requestClose()).toBe(false);
  });

  it('renews due certificates from the tray and catches up when the system resumes', async () => {
    const ctx = fakeElectron();
    const core = fakeCore();
    const tick = vi.spyOn(core.notifier, 'tick');
    await started(ctx, core);
    expect(tick).toHaveBeenCalledTimes(1);
    FakeTray.created[0]?.menu?.click('Renew due certificates now');
    expect(core.engine.renewDueNow).toHaveBeenCalledTimes(1);
    ctx.electron.powerMonitor.emit('resume');
    expect(core.engine.wake).toHaveBeenCalledTimes(1);
    expect(tick).toHaveBeenCalledTimes(2);
  });

  it('shows a failed renewal from the core as a desktop notification and turns the tray', async () => {
    const { core, tray } = await started();
    core.events.emit('templateChanged', {
      id: 't1',
      commonName: 'shop.example.com',
      altNames: [],
      keyType: 'ecdsa-p256',
      createdAt: '2026-12-01T00:00:00.000Z',
      status: 'issued',
      challengeRecords: [],
      latestCertificate: {
        id: 'c1',
        issuedAt: '2026-12-01T00:00:00.000Z',
        commonName: 'shop.example.com',
        altNames: [],
        issuer: 'Test CA',
        serial: 'S1',
        notBefore: '2026-12-01T00:00:00.000Z',
        notAfter: '2099-03-01T00:00:00.000Z',
        fingerprintSha256: 'fp',
        keyType: 'ecdsa-p256',
      },
      failure: {
        code: 'dns-error',
        message: 'The DNS provider did not answer.',
        at: '2026-12-02T00:00:00.000Z',
        nextAttemptAt: '2026-12-02T01:00:00.000Z',
      },
    });
    expect(FakeNotification.created.map((n) => n.options)).toEqual([
      expect.objectContaining({ title: 'shop.example.com: renewal failed', urgency: 'normal' }),
    ]);
    expect(tray?.toolTip).toBe('Certdesk: 1 needs attention');
  });
});
