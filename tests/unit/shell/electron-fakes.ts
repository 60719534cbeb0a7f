/**
 * Stand-ins for the Electron objects the shell touches, for tests in plain Node (the Electron
 * binary cannot run here). Each records what the shell did with it and can replay the events
 * Electron would emit. They implement only what the shell calls; the shell's code is
 * type-checked against Electron's real typings separately.
 */
import { vi } from 'vitest';
import type {
  App,
  BrowserWindow,
  IpcMain,
  IpcMainInvokeEvent,
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
