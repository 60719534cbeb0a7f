/**
 * Builds `window.certdesk` from the channel map over any transport: Electron's ipcRenderer in
 * the preload, a WebSocket in the test host. Both produce the same named methods, so the
 * renderer cannot tell them apart, and neither exposes a generic invoke or send.
 */
import {
  EVENT_CHANNELS,
  EVENT_NAMES,
  INVOKE_CHANNELS,
  INVOKE_METHODS,
  eventMethodName,
} from './channels.ts';
import type { CertdeskApi } from './contract.ts';

/** How requests and events travel; implemented by the preload and by the test host bridge. */
export interface BridgeTransport {
  /** Sends one request on a known channel and resolves with main's answer (an IpcResult). */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /**
   * Delivers each event on the channel to the listener with the payload only (never a
   * transport event object). Returns a function that stops delivery.
   */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/** The API object; every value is a plain function so it survives contextBridge. */
export function createCertdeskApi(transport: BridgeTransport): CertdeskApi {
  const api: Record<string, unknown> = {};
  for (const method of INVOKE_METHODS) {
    const channel = INVOKE_CHANNELS[method];
    api[method] = (request?: unknown) => transport.invoke(channel, request);
  }
  for (const event of EVENT_NAMES) {
    const channel = EVENT_CHANNELS[event];
    api[eventMethodName(event)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return transport.subscribe(channel, (payload) => listener(payload));
    };
  }
  return Object.freeze(api) as CertdeskApi;
}
