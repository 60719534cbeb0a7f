/**
 * Stand-ins for the Electron objects the shell touches, for tests in plain Node (the Electron
 * binary cannot run here). Each records what the shell did with it and can replay the events
 * Electron would emit. They implement only what the shell calls; the shell's code is
 * type-checked against Electron's real typings separately.
 */
import { vi } from 'vitest';
import type {
  AddRepresentationOptions,
  App,
  BrowserWindow,
  CreateFromBufferOptions,
  IpcMain,
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  NativeImage,
  NotificationConstructorOptions,
  Settings,
  WebContents,
  WebFrameMain,
} from 'electron';
import { APP_ENTRY_URL } from '../../../electron/shell/protocol.ts';

type Listener = (...args: unknown[]) => unknown;

/** A minimal event emitter that remembers every listener by event name. */
export class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      return listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** A web frame: its URL and parent, as WebFrameMain reports them. */
export function fakeFrame(url: string, parent: unknown = null): WebFrameMain {
  return { url, parent } as unknown as WebFrameMain;
}

/** A window's web contents with a top frame showing our page. */
export class FakeWebContents extends FakeEmitter {
  mainFrame = fakeFrame(APP_ENTRY_URL);
  destroyed = false;
  readonly send = vi.fn();
  readonly setWindowOpenHandler = vi.fn();
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** A BrowserWindow stand-in; the constructor options are kept for inspection. */
export class FakeBrowserWindow extends FakeEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly show = vi.fn();
  readonly hide = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  destroyed = false;
  minimized = false;

  constructor(readonly options: unknown) {
    super();
    FakeBrowserWindow.created.push(this);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  /**
   * Asks the window to close as the title bar's close button does: `close` first, and unless
   * a listener prevented it, `closed` and the window is destroyed. Returns whether it closed.
   */
  requestClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return false;
    this.destroyed = true;
    this.emit('closed');
    return true;
  }
}

/** Casts a fake window to the Electron type the shell's functions take. */
export function asWindow(window: FakeBrowserWindow): BrowserWindow {
  return window as unknown as BrowserWindow;
}

/** An invoke event as Electron builds it for a call from `frame` of `sender`. */
export function invokeEvent(sender: unknown, frame: WebFrameMain | null): IpcMainInvokeEvent {
  return { sender, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

/** ipcMain: keeps the handlers and lets a test call them as the renderer would. */
export class FakeIpcMain {
  readonly handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();

  handle(
    channel: string,
    listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown,
  ): void {
    // Electron throws on a second handler for the same channel; so does the stand-in.
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  async call(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }

  asIpcMain(): Pick<IpcMain, 'handle'> {
    return this as unknown as Pick<IpcMain, 'handle'>;
  }
}

/** The app object: events, paths, lock and quit, recorded. */
export class FakeApp extends FakeEmitter {
  readonly paths = new Map<string, string>([['userData', '/nonexistent/userData']]);
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly setPath = vi.fn((name: string, path: string) => {
    this.paths.set(name, path);
  });
  gotLock = true;
  readonly requestSingleInstanceLock = vi.fn(() => this.gotLock);
  /** The login item as the OS would keep it. */
  openAtLogin = false;
  readonly setLoginItemSettings = vi.fn((settings: Settings) => {
    this.openAtLogin = settings.openAtLogin ?? false;
  });
  readonly setAppUserModelId = vi.fn();
  private markReady: () => void = () => undefined;
  private readonly ready = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });

  getPath(name: string): string {
    return this.paths.get(name) ?? `/nonexistent/${name}`;
  }

  getVersion(): string {
    return '0.1.0-test';
  }

  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.openAtLogin };
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Fires `ready` as Electron would once Chromium is up. */
  becomeReady(): void {
    this.markReady();
  }

  asApp(): App {
    return this as unknown as App;
  }
}

/** A contents object as `web-contents-created` passes it. */
export function asWebContents(contents: FakeWebContents): WebContents {
  return contents as unknown as WebContents;
}

/** A nativeImage stand-in: keeps the PNG of every representation it was given. */
export class FakeNativeImage {
  readonly representations: { scaleFactor: number; buffer: Buffer }[] = [];

  static createFromBuffer(buffer: Buffer, options?: CreateFromBufferOptions): NativeImage {
    const image = new FakeNativeImage();
    image.representations.push({ scaleFactor: options?.scaleFactor ?? 1, buffer });
    return image as unknown as NativeImage;
  }

  addRepresentation(options: AddRepresentationOptions): void {
    if (!options.buffer) throw new Error('the stand-in only takes PNG buffers');
    this.representations.push({ scaleFactor: options.scaleFactor ?? 1, buffer: options.buffer });
  }
}

/** A built menu: the template it came from, so tests can read labels and click items. */
export class FakeMenu {
  constructor(readonly items: MenuItemConstructorOptions[]) {}

  static buildFromTemplate(template: MenuItemConstructorOptions[]): FakeMenu {
    return new FakeMenu(template);
  }

  /** The labels, separators as '---'. */
  labels(): string[] {
    return this.items.map((item) => (item.type === 'separator' ? '---' : (item.label ?? '')));
  }

  /** Clicks the item labelled `label` as Electron would, flipping a checkbox first. */
  click(label: string): void {
    const item = this.items.find((i) => i.label === label);
    if (!item?.click) throw new Error(`no clickable item '${label}'`);
    const checked = item.type === 'checkbox' ? !item.checked : item.checked;
    item.click({ ...item, checked } as never, undefined, {} as never);
  }
}

/** A Tray stand-in recording its image, tooltip and menu. */
export class FakeTray extends FakeEmitter {
  static created: FakeTray[] = [];
  toolTip = '';
  menu: FakeMenu | null = null;
  destroyed = false;

  constructor(public image: FakeNativeImage) {
    super();
    FakeTray.created.push(this);
  }

  setImage(image: FakeNativeImage): void {
    this.image = image;
  }

  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }

  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

/** A Notification stand-in; `supported` is what isSupported() answers. */
export class FakeNotification extends FakeEmitter {
  static created: FakeNotification[] = [];
  static supported = true;
  readonly show = vi.fn();

  constructor(readonly options: NotificationConstructorOptions) {
    super();
    FakeNotification.created.push(this);
  }

  static isSupported(): boolean {
    return FakeNotification.supported;
  }
}
