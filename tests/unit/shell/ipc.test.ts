import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, INVOKE_METHODS } from '../../../shared/channels.ts';
import type { CoreHandlers } from '../../../shared/contract.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { createCoreEvents } from '../../../electron/core/events.ts';
import { createDispatcher, type Dispatch } from '../../../electron/rpc/dispatch.ts';
import {
  FORBIDDEN_RESULT,
  createSenderCheck,
  forwardCoreEvents,
  registerIpcHandlers,
} from '../../../electron/shell/ipc.ts';
import {
  FakeBrowserWindow,
  FakeIpcMain,
  FakeWebContents,
  asWindow,
  fakeFrame,
  invokeEvent,
} from './electron-fakes.ts';

vi.mock('electron', () => {
  throw new Error('electron/shell/ipc.ts must not load the electron module at runtime');
});

/** Core handlers that only count calls: the refusals must never reach them. */
function spyHandlers(): CoreHandlers {
  const handlers: Record<string, unknown> = {};
  for (const method of INVOKE_METHODS) {
    handlers[method] = vi.fn(async () => ({ answeredBy: method }));
  }
  return handlers as CoreHandlers;
}

/** The shell wired as main wires it: real dispatcher, real sender check, stand-in Electron. */
function setUp() {
  const lines: string[] = [];
  const logger = createLogger([memorySink(lines)]);
  const handlers = spyHandlers();
  const realDispatch = createDispatcher(handlers, logger);
  const dispatch = vi.fn<Dispatch>((channel, payload) => realDispatch(channel, payload));
  const window = new FakeBrowserWindow({});
  let current: FakeBrowserWindow | null = window;
  const ipcMain = new FakeIpcMain();
  const check = createSenderCheck(() => (current ? asWindow(current) : null));
  registerIpcHandlers(ipcMain.asIpcMain(), dispatch, check, logger);
  const legit = () => invokeEvent(window.webContents, window.webContents.mainFrame);
  const closeWindow = () => {
    current = null;
  };
  return { lines, handlers, dispatch, window, ipcMain, legit, closeWindow };
}

const CHANNELS = Object.values(INVOKE_CHANNELS);

describe('IPC handler registration', () => {
  it('registers a handler for every contract channel and for no other channel', () => {
    const { ipcMain } = setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
  });
});

describe('IPC sender checks (RELIABILITY E2)', () => {
  const refusals: [string, (ctx: ReturnType<typeof setUp>) => ReturnType<typeof invokeEvent>][] = [
    ['a null sender frame', ({ window }) => invokeEvent(window.webContents, null)],
    [
      'a top frame showing https://evil.example/',
      ({ window }) => {
        window.webContents.mainFrame = fakeFrame('https://evil.example/');
        return invokeEvent(window.webContents, window.webContents.mainFrame);
      },
    ],
    [
      'a subframe of our page',
      ({ window }) =>
        invokeEvent(
          window.webContents,
          fakeFrame('app://certdesk/index.html', window.webContents.mainFrame),
        ),
    ],
    [
      'a frame whose parent is set even though it claims to be the top frame',
      ({ window }) => {
        window.webContents.mainFrame = fakeFrame('app://certdesk/index.html', fakeFrame('x'));
        return invokeEvent(window.webContents, window.webContents.mainFrame);
      },
    ],
    [
      'a page on app://certdesk.evil.example',
      ({ window }) => {
        window.webContents.mainFrame = fakeFrame('app://certdesk.evil.example/index.html');
        return invokeEvent(window.webContents, window.webContents.mainFrame);
      },
    ],
    [
      'a page on app://certdesk with a port',
      ({ window }) => {
        window.webContents.mainFrame = fakeFrame('app://certdesk:8080/index.html');
        return invokeEvent(window.webContents, window.webContents.mainFrame);
      },
    ],
    [
      'a page on app://user@certdesk',
      ({ window }) => {
        window.webContents.mainFrame = fakeFrame('app://user@certdesk/index.html');
        return invokeEvent(window.webContents, window.webContents.mainFrame);
      },
    ],
    [
      'the top frame of another web contents',
      () => {
        const other = new FakeWebContents();
        return invokeEvent(other, other.mainFrame);
      },
    ],
    [
      'another web contents presenting our window frame',
      ({ window }) => invokeEvent(new FakeWebContents(), window.webContents.mainFrame),
    ],
    [
      'a call that arrives after the window closed',
      (ctx) => {
        const event = ctx.legit();
        ctx.closeWindow();
        return event;
      },
    ],
    [
      'a call from a destroyed window',
      (ctx) => {
        ctx.window.destroyed = true;
        return ctx.legit();
      },
    ],
    [
      'a sender frame that throws when read',
      ({ window }) => {
        const event = { sender: window.webContents };
        Object.defineProperty(event, 'senderFrame', {
          get() {
            throw new Error('Render frame was disposed before WebFrameMain could be accessed');
          },
        });
        return event as unknown as ReturnType<typeof invokeEvent>;
      },
    ],
  ];

  for (const [name, makeEvent] of refusals) {
    it(`refuses ${name} on every channel, answering forbidden without dispatching`, async () => {
      const ctx = setUp();
      const event = makeEvent(ctx);
      for (const channel of CHANNELS) {
        const answer = await ctx.ipcMain.call(channel, event, undefined);
        expect(answer).toEqual({
          ok: false,
          error: {
            code: 'forbidden',
            message: 'Certdesk refused this request because it did not come from its own window.',
          },
        });
        expect(answer).toBe(FORBIDDEN_RESULT);
      }
      expect(ctx.dispatch).toHaveBeenCalledTimes(0);
      for (const method of INVOKE_METHODS) expect(ctx.handlers[method]).toHaveBeenCalledTimes(0);
      expect(ctx.lines).toHaveLength(CHANNELS.length);
      expect(ctx.lines.map((line) => JSON.parse(line))).toEqual(
        CHANNELS.map((channel) =>
          expect.objectContaining({ level: 'warn', message: 'refused an IPC call', channel }),
        ),
      );
    });
  }

  it('passes a call from our top frame to the dispatcher and answers its result', async () => {
    const ctx = setUp();
    const answer = await ctx.ipcMain.call(INVOKE_CHANNELS.getAppInfo, ctx.legit(), undefined);
    expect(answer).toEqual({ ok: true, value: { answeredBy: 'getAppInfo' } });
    expect(ctx.dispatch).toHaveBeenCalledWith(INVOKE_CHANNELS.getAppInfo, undefined);
    expect(ctx.handlers.getAppInfo).toHaveBeenCalledTimes(1);
  });

  it('passes the payload only, ignoring extra arguments a renderer might add', async () => {
    const ctx = setUp();
    const answer = await ctx.ipcMain.call(
      INVOKE_CHANNELS.deleteTemplate,
      ctx.legit(),
      { id: 'abc-123' },
      { id: 'smuggled' },
    );
    expect(answer).toEqual({ ok: true, value: { answeredBy: 'deleteTemplate' } });
    expect(ctx.dispatch.mock.calls).toEqual([[INVOKE_CHANNELS.deleteTemplate, { id: 'abc-123' }]]);
    expect(ctx.handlers.deleteTemplate).toHaveBeenCalledWith({ id: 'abc-123' });
  });

  it('lets the dispatcher refuse an invalid payload from our top frame before the core', async () => {
    const ctx = setUp();
    const answer = await ctx.ipcMain.call(INVOKE_CHANNELS.deleteTemplate, ctx.legit(), {
      id: '../../etc',
      extra: true,
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(ctx.handlers.deleteTemplate).toHaveBeenCalledTimes(0);
  });
});

describe('core events to the window', () => {
  it('sends each event on its channel with the payload only while the window exists', () => {
    const events = createCoreEvents();
    const window = new FakeBrowserWindow({});
    let current: FakeBrowserWindow | null = window;
    forwardCoreEvents(events, () => (current ? asWindow(current) : null));

    events.emit('templateRemoved', { id: 'abc' });
    window.webContents.destroyed = true;
    events.emit('templateRemoved', { id: 'while-destroyed' });
    current = null;
    events.emit('templateRemoved', { id: 'after-close' });

    expect(window.webContents.send.mock.calls).toEqual([
      [EVENT_CHANNELS.templateRemoved, { id: 'abc' }],
    ]);
  });

  it('stops sending once unsubscribed and drops events without a channel', () => {
    const listeners: ((event: { name: string; payload: unknown }) => void)[] = [];
    const source = {
      on(listener: (event: { name: string; payload: unknown }) => void) {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    };
    const window = new FakeBrowserWindow({});
    const stop = forwardCoreEvents(source as Parameters<typeof forwardCoreEvents>[0], () =>
      asWindow(window),
    );
    for (const listener of listeners) listener({ name: 'toString', payload: 1 });
    for (const listener of listeners) listener({ name: 'notice', payload: { id: 'n1' } });
    stop();
    expect(listeners).toHaveLength(0);
    expect(window.webContents.send.mock.calls).toEqual([[EVENT_CHANNELS.notice, { id: 'n1' }]]);
  });
});
