/**
 * The preload of the main window, bundled to ONE CommonJS file (dist/electron/preload.cjs)
 * because sandboxed preloads cannot load modules. It exposes `window.certdesk`: the named
 * methods and `on<Event>` subscriptions built from the shared channel map, never a generic
 * invoke, send or on, and never Electron's event object (RELIABILITY E3). Only channels.ts
 * and bridge.ts are imported; the schemas stay in main, so valibot is not bundled here.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../shared/channels.ts';
import { createCertdeskApi, type BridgeTransport } from '../shared/bridge.ts';

const INVOKE = new Set<string>(Object.values(INVOKE_CHANNELS));
const EVENTS = new Set<string>(Object.values(EVENT_CHANNELS));

/** The answer when main could not be reached: a result like any other, never a throw. */
function unreachable() {
  return {
    ok: false,
    error: {
      code: 'internal',
      message: 'Certdesk could not reach its main process; restart Certdesk and try again.',
    },
  };
}

/** ipcRenderer as a BridgeTransport, limited to the contract's channels. */
const ipcTransport: BridgeTransport = {
  async invoke(channel, payload) {
    if (!INVOKE.has(channel)) return unreachable();
    try {
      return await ipcRenderer.invoke(channel, payload);
    } catch {
      return unreachable();
    }
  },
  subscribe(channel, listener) {
    if (!EVENTS.has(channel)) throw new TypeError('unknown event channel');
    const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
};

contextBridge.exposeInMainWorld('certdesk', createCertdeskApi(ipcTransport));
