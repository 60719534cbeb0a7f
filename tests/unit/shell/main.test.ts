import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/channels.ts';
import type { CoreOptions } from '../../../electron/core/index.ts';
import type { FakeApp, FakeBrowserWindow, FakeIpcMain } from './electron-fakes.ts';

// electron/main.ts imports the real module names; here they resolve to stand-ins.
const shared = vi.hoisted(() => ({
  electron: {} as {
    app: FakeApp;
    ipcMain: FakeIpcMain;
    BrowserWindow: typeof FakeBrowserWindow;
    protocol: {
      registerSchemesAsPrivileged: ReturnType<typeof vi.fn>;
      handle: ReturnType<typeof vi.fn>;
    };
  },
  userData: '',
  openCore: vi.fn(async (_options: unknown) => {
    throw new Error('replaced below');
  }),
}));

vi.mock('electron', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const fakes = await import('./electron-fakes.ts');
  shared.userData = mkdtempSync(join(tmpdir(), 'certdesk-main-'));
  const app = new fakes.FakeApp();
  app.paths.set('userData', shared.userData);
  const electron = {
    app,
    ipcMain: new fakes.FakeIpcMain(),
    BrowserWindow: fakes.FakeBrowserWindow,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: {
      defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
    },
    dialog: { showSaveDialog: vi.fn(), showErrorBox: vi.fn() },
    shell: { openExternal: vi.fn() },
    Tray: fakes.FakeTray,
    Menu: fakes.FakeMenu,
    nativeImage: fakes.FakeNativeImage,
    Notification: fakes.FakeNotification,
    powerMonitor: new fakes.FakeEmitter(),
  };
  shared.electron = electron;
  return electron;
});

vi.mock('../../../electron/core/index.ts', () => ({ openCore: shared.openCore }));

afterAll(() => rmSync(shared.userData, { recursive: true, force: true }));

describe('electron/main.ts', () => {
  it('boots with the real module names: scheme first, then core, protocol, IPC and window on ready', async () => {
    const { createCoreEvents } = await import('../../../electron/core/events.ts');
    const { createNotifier } = await import('../../../electron/core/notify/notifier.ts');
    shared.openCore.mockImplementation(
      async () =>
        ({
          handlers: {},
          events: createCoreEvents(),
          notifier: createNotifier({ list: () => [], now: () => new Date() }),
          engine: { wake: () => undefined, renewDueNow: () => undefined },
          close: async () => undefined,
        }) as never,
    );
    const { FakeBrowserWindow, FakeTray } = await import('./electron-fakes.ts');
    FakeBrowserWindow.created = [];
    FakeTray.created = [];

    const { certdesk } = await import('../../../electron/main.ts');
    const { app, ipcMain, protocol } = shared.electron;
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(app.requestSingleInstanceLock).toHaveBeenCalledTimes(1);
    expect(shared.openCore).not.toHaveBeenCalled();

    app.becomeReady();
    await certdesk?.ready;
    expect(FakeBrowserWindow.created).toHaveLength(1);

    const options = shared.openCore.mock.calls[0]?.[0] as CoreOptions;
    expect(options).toMatchObject({ dataDir: shared.userData, host: 'electron' });
    expect(protocol.handle.mock.calls[0]?.[0]).toBe('app');
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    const window = FakeBrowserWindow.created[0];
    const prefs = (window?.options as { webPreferences: { preload: string } }).webPreferences;
    expect(prefs.preload).toMatch(/[/\\]preload\.cjs$/);
    expect(window?.loadURL).toHaveBeenCalledWith('app://certdesk/index.html');
    expect(FakeTray.created).toHaveLength(1);
    expect(FakeTray.created[0]?.toolTip).toBe('Certdesk: all certificates are fine');
  });
});
