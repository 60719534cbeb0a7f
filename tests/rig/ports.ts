import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** Host every rig component binds to; nothing listens on other addresses. */
export const RIG_HOST = '127.0.0.1';

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, RIG_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, RIG_HOST, () => socket.close(() => resolve(true)));
  });
}

/**
 * Returns a port on 127.0.0.1 that was free for TCP (and, with `udp: true`, also for UDP)
 * a moment ago. Another process may take it before the caller binds, so callers that start
 * servers must retry with a new port when they see EADDRINUSE.
 */
export async function freePort(opts: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort();
    if (port > 0 && (!opts.udp || (await udpPortFree(port)))) return port;
  }
  throw new Error('freePort: no free port found on 127.0.0.1 after 20 attempts');
}

/** Returns `count` distinct free ports (see freePort for the race this cannot rule out). */
export async function freePorts(count: number, opts: { udp?: boolean } = {}): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(opts));
  return [...ports];
}
