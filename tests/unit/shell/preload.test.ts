import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EVENT_CHANNELS,
  EVENT_NAMES,
  INVOKE_CHANNELS,
  INVOKE_METHODS,
  eventMethodName,
} from '../../../shared/channels.ts';
import { PRELOAD_BUNDLE } from '../../../build/targets.mjs';

// The stand-in `electron` module of a sandboxed preload: contextBridge records what is
// exposed; ipcRenderer answers invokes from a queue and delivers events with a sentinel
// event object, which must never reach the page.
const fake = vi.hoisted(() => {
  const SENTINEL_EVENT = { sentinel: 'IpcRendererEvent', sender: { send() {} } };
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const answers: ((channel: string, payload: unknown) => Promise<unknown>)[] = [];
  const ipcRenderer = {
    invoke: vi.fn((channel: string, payload: unknown) => {
      const next = answers.shift();
      return next
        ? next(channel, payload)
        : Promise.resolve({ ok: true, value: { channel, payload } });
    }),
    on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
    }),
    removeListener: vi.fn(
      (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
        listeners.get(channel)?.delete(listener);
      },
    ),
    send: vi.fn(),
  };
  const emit = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener(SENTINEL_EVENT, ...args);
  };
  const contextBridge = {
    exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.set(key, api)),
  };
  return { SENTINEL_EVENT, exposed, listeners, answers, ipcRenderer, contextBridge, emit };
});

vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }));

type Api = Record<string, (...args: unknown[]) => unknown>;
let api: Api;

beforeAll(async () => {
  await import('../../../electron/preload.ts');
  api = fake.exposed.get('certdesk') as Api;
});

describe('the preload bridge (RELIABILITY E3)', () => {
  it('exposes exactly one global, window.certdesk', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...fake.exposed.keys()]).toEqual(['certdesk']);
  });

  it("exposes exactly the contract's methods and on<Event> subscriptions, each a plain function", () => {
    const expected = [...INVOKE_METHODS, ...EVENT_NAMES.map((name) => eventMethodName(name))];
    expect(Object.keys(api).sort()).toEqual(expected.sort());
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(api))) {
      expect(descriptor.get, key).toBeUndefined();
      expect(typeof descriptor.value, key).toBe('function');
    }
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync', 'postMessage']) {
      expect(api).not.toHaveProperty(generic);
    }
  });

  it('sends each method on its own channel with the request as the only argument', async () => {
    for (const method of INVOKE_METHODS) {
      fake.ipcRenderer.invoke.mockClear();
      await api[method]?.({ probe: method });
      expect(fake.ipcRenderer.invoke.mock.calls).toEqual([
        [INVOKE_CHANNELS[method], { probe: method }],
      ]);
    }
  });

  it("resolves main's answer unchanged, as plain data that survives structured cloning", async () => {
    const answer = {
      ok: true,
      value: [
        {
          id: 't1',
          commonName: '*.example.com',
          altNames: ['example.com'],
          created: '2026-01-01T00:00:00.000Z',
        },
      ],
    };
    fake.answers.push(async () => answer);
    const result = await api.listTemplates?.();
    expect(result).toEqual(answer);
    expect(structuredClone(result)).toEqual(result);
  });

  it('turns a failed invoke into an error result instead of throwing across the bridge', async () => {
    fake.answers.push(async () => {
      throw new Error("Error invoking remote method 'certdesk:get-settings': secret detail");
    });
    const result = await api.getSettings?.();
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message: 'Certdesk could not reach its main process; restart Certdesk and try again.',
      },
    });
    expect(structuredClone(result)).toEqual(result);
  });

  it('delivers event payloads only, never the IpcRendererEvent, until unsubscribed', () => {
    for (const name of EVENT_NAMES) {
      const channel = EVENT_CHANNELS[name];
      const received: unknown[][] = [];
      const stop = api[eventMethodName(name)]?.((...args: unknown[]) => received.push(args));
      expect(typeof stop).toBe('function');
      fake.emit(channel, { id: 'first' });
      fake.emit(channel, { id: 'second' }, 'extra argument');
      (stop as () => void)();
      fake.emit(channel, { id: 'after unsubscribe' });
      expect(received).toEqual([[{ id: 'first' }], [{ id: 'second' }]]);
      expect(received.flat()).not.toContain(fake.SENTINEL_EVENT);
      expect(fake.listeners.get(channel)?.size ?? 0).toBe(0);
    }
  });

  it('rejects a subscription without a listener function', () => {
    expect(() => api.onNotice?.('not a function')).toThrow(TypeError);
  });
});

describe('the preload bundle', () => {
  it('is one small CommonJS file that requires only electron and carries no schema library', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const result = await build({
      ...PRELOAD_BUNDLE.options,
      absWorkingDir: root,
      write: false,
      logLevel: 'silent',
    });
    expect(result.outputFiles).toHaveLength(1);
    const code = result.outputFiles[0]?.text ?? '';
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual([
      'electron',
    ]);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/^\s*export\s/m);
    expect(code).not.toContain('valibot');
    expect(code).toContain('exposeInMainWorld("certdesk"');
    expect(Buffer.byteLength(code)).toBeLessThan(10 * 1024);
  });

  it('runs where require can load nothing but electron, as in a sandboxed renderer', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const result = await build({
      ...PRELOAD_BUNDLE.options,
      absWorkingDir: root,
      write: false,
      logLevel: 'silent',
    });
    const exposed = new Map<string, Record<string, unknown>>();
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, value: Record<string, unknown>) => exposed.set(key, value),
      },
      ipcRenderer: {
        invoke: async () => null,
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`module not found: ${name}`);
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', result.outputFiles[0]?.text ?? '')(
      sandboxRequire,
      module,
      module.exports,
    );
    expect([...exposed.keys()]).toEqual(['certdesk']);
    expect(Object.keys(exposed.get('certdesk') ?? {}).sort()).toEqual(
      [...INVOKE_METHODS, ...EVENT_NAMES.map((name) => eventMethodName(name))].sort(),
    );
  });
});
