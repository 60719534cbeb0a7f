/**
 * The test host: the real core, the built renderer and the IPC contract carried over a local
 * WebSocket through the same dispatcher the Electron shell uses. It is how the renderer gets
 * into real Chromium for tests and development. It binds to 127.0.0.1 only, answers only
 * sockets that present this run's token from this origin, and is never packaged.
 *
 *   node dist/testhost/server.js [--port N] [--data-dir DIR] [--export-dir DIR]
 *                                [--seed-templates N] [--record-ipc FILE] [--stdin-control]
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { openCore, type Core } from '../core/index.ts';
import { createLogger, fileSink, type Logger } from '../core/log.ts';
import { createDispatcher, type Dispatch } from '../rpc/dispatch.ts';
import { EVENT_CHANNELS } from '../../shared/channels.ts';
import { serveStatic } from './static.ts';
import { parseHostArgs, type HostArgs } from './args.ts';
import { seedTemplates } from './seed.ts';
import { saveIntoFolder } from './save.ts';

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

function tokenMatches(expected: Buffer, given: string | null): boolean {
  if (!given) return false;
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

interface Session {
  core: Core;
  dispatch: Dispatch;
  record: (direction: 'in' | 'out', message: string) => void;
}

/**
 * Stands in for the Electron shell's tray and notifications, which the test host does not have:
 * a line `open-template <id>` on stdin is sent to every window as the openTemplate event, as
 * clicking a tray item or a notification about that template does in the app.
 */
function readControlLines(sockets: WebSocketServer, session: Session, log: Logger): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const match = /^open-template ([a-z0-9-]{1,64})$/.exec(line.trim());
    if (!match) {
      log.warn('ignored a control line', { line: line.slice(0, 80) });
      return;
    }
    const message = JSON.stringify({
      type: 'event',
      channel: EVENT_CHANNELS.openTemplate,
      payload: { id: match[1] },
    });
    for (const client of sockets.clients) {
      session.record('out', message);
      client.send(message);
    }
  });
}

function handleSocket(socket: WebSocket, session: Session, log: Logger): void {
  const stop = session.core.events.on((event) => {
    const message = JSON.stringify({
      type: 'event',
      channel: EVENT_CHANNELS[event.name],
      payload: event.payload,
    });
    session.record('out', message);
    socket.send(message);
  });
  socket.on('close', stop);
  socket.on('message', async (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    session.record('in', text);
    let request: { id?: unknown; channel?: unknown; payload?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      log.warn('refused a malformed socket message');
      return;
    }
    if (typeof request.id !== 'number' || typeof request.channel !== 'string') return;
    const result = await session.dispatch(request.channel, request.payload);
    const message = JSON.stringify({ type: 'result', id: request.id, result });
    session.record('out', message);
    socket.send(message);
  });
}

async function start(args: HostArgs): Promise<void> {
  const dataDir = resolve(args.dataDir);
  const exportDir = resolve(args.exportDir ?? join(dataDir, 'exports'));
  const logger = createLogger([fileSink(join(dataDir, 'logs', 'certdesk.log'))], 'debug');
  const log = logger.child('testhost');
  if (args.seedTemplates > 0) await seedTemplates(dataDir, args.seedTemplates);

  const version = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  const core = await openCore({
    dataDir,
    host: 'web',
    version,
    logger,
    saveFile: saveIntoFolder(exportDir),
    openExternal: async () => false,
    ...(args.liveCheckConnectHost ? { liveCheck: { connectHost: args.liveCheckConnectHost } } : {}),
  });
  const token = randomBytes(24).toString('hex');
  const expected = Buffer.from(token);
  const record = args.recordIpc
    ? (direction: string, message: string) =>
        appendFileSync(args.recordIpc as string, `${direction} ${message}\n`)
    : () => undefined;
  if (args.recordIpc) mkdirSync(resolve(args.recordIpc, '..'), { recursive: true });
  const session: Session = {
    core,
    dispatch: createDispatcher(core.handlers, logger.child('ipc')),
    record,
  };

  const rendererDir = new URL('../renderer/', import.meta.url);
  const bridgeFile = new URL('./bridge.js', import.meta.url);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    serveStatic(req, res, { rendererDir, bridgeFile, port: boundPort() });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const boundPort = () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    if (
      url.pathname !== '/ipc' ||
      !tokenMatches(expected, url.searchParams.get('token')) ||
      origin !== `http://127.0.0.1:${boundPort()}`
    ) {
      log.warn('refused a socket', { path: url.pathname, origin: origin ?? 'none' });
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => handleSocket(ws, session, log));
  });
  if (args.stdinControl) readControlLines(sockets, session, log);
  server.listen(args.port, '127.0.0.1', () => {
    process.stdout.write(`Certdesk test host: http://127.0.0.1:${boundPort()}/?token=${token}\n`);
    log.info('test host listening', { port: boundPort(), dataDir });
  });

  const shutdown = async () => {
    setTimeout(() => process.exit(0), 10_000).unref(); // never hang on the way out
    for (const client of sockets.clients) client.terminate();
    server.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A test runner killed outright cannot stop its hosts; a host whose parent is gone stops
  // itself rather than running (and checking DNS) forever.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown();
  }, 2000).unref();
}

start(parseHostArgs(process.argv.slice(2))).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Certdesk test host could not start: ${message}\n`);
  process.exit(1);
});
