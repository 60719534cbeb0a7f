/**
 * Browser side of the test host: defines `window.certdesk` over the host's WebSocket with the
 * same named methods the Electron preload exposes (shared/bridge.ts builds both). The token
 * comes from the page URL once, is kept in sessionStorage for reloads, and is removed from
 * the address bar.
 */
import { createCertdeskApi, type BridgeTransport } from '../../shared/bridge.ts';

type Pending = { resolve: (value: unknown) => void };

function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('certdesk-token', fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem('certdesk-token') ?? '';
}

function connect(): BridgeTransport {
  const socket = new WebSocket(
    `ws://${window.location.host}/ipc?token=${encodeURIComponent(takeToken())}`,
  );
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('test host socket failed')), {
      once: true,
    });
  });
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as {
      type: string;
      id?: number;
      result?: unknown;
      channel?: string;
      payload?: unknown;
    };
    if (message.type === 'result' && typeof message.id === 'number') {
      pending.get(message.id)?.resolve(message.result);
      pending.delete(message.id);
    } else if (message.type === 'event' && message.channel) {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const request of pending.values()) {
      request.resolve({
        ok: false,
        error: { code: 'disconnected', message: 'The connection to Certdesk closed.' },
      });
    }
    pending.clear();
  });

  return {
    async invoke(channel, payload) {
      await opened;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        socket.send(JSON.stringify({ id, channel, payload }));
      });
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
}

Object.defineProperty(window, 'certdesk', {
  value: createCertdeskApi(connect()),
  writable: false,
  configurable: false,
});
