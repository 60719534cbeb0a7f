/**
 * A small HTTPS proxy in front of the real Pebble that can answer chosen requests itself: the
 * fault injection RELIABILITY.md calls "Pebble+proxy". Pebble 2.4.0 never sends Retry-After,
 * so rate limits and 503s with Retry-After can only be tested this way. The proxy keeps the
 * Host header, so Pebble builds its URLs (directory, Location) and checks JWS `url` against the
 * proxy's address and no rewriting is needed. Its certificate is signed by the run's rig CA,
 * which the test workers already trust (NODE_EXTRA_CA_CERTS); TLS verification stays on.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../rig/proc.ts';

/** What the proxy answers instead of Pebble. */
export interface InjectedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Decides per request: an answer to send instead of Pebble's, or undefined to forward. `body`
 * is the request body as received (a JWS for POSTs).
 */
export type Injector = (method: string, path: string, body: Buffer) => InjectedAnswer | undefined;

/** The decoded payload of a flattened JWS request body ({} for POST-as-GET). */
export function jwsPayload(body: Buffer): Record<string, unknown> {
  const jws = JSON.parse(body.toString('utf8')) as { payload: string };
  if (!jws.payload) return {};
  return JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** A running proxy. */
export interface FaultProxy {
  /** Pebble's directory, reached through the proxy. */
  directoryUrl: string;
  /** Every request seen, in order: `POST /order-plz`, with `injected` when the proxy answered. */
  requests: { method: string; path: string; injected: boolean }[];
  /** Replaces the injector (default: forward everything). */
  inject(injector: Injector): void;
  stop(): Promise<void>;
}

async function makeLeaf(dir: string): Promise<{ key: string; cert: string }> {
  const tls = process.env.CERTDESK_RIG_TLS_DIR;
  if (!tls) throw new Error('CERTDESK_RIG_TLS_DIR is not set; run through vitest (global setup)');
  const key = join(dir, 'proxy.key');
  const csr = join(dir, 'proxy.csr');
  const cert = join(dir, 'proxy.pem');
  const ext = join(dir, 'proxy.ext');
  await runOk(
    'openssl',
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'].concat([
      '-nodes',
      '-subj',
      '/CN=certdesk fault proxy',
      '-keyout',
      key,
      '-out',
      csr,
    ]),
  );
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await runOk(
    'openssl',
    ['x509', '-req', '-in', csr, '-CA', join(tls, 'ca.pem')].concat(
      ['-CAkey', join(tls, 'ca.key'), '-CAcreateserial', '-CAserial', join(dir, 'ca.srl')],
      ['-days', '1', '-extfile', ext, '-out', cert],
    ),
  );
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, a: InjectedAnswer): void {
  const body = a.body === undefined ? '' : JSON.stringify(a.body);
  const type = a.status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(a.status, { 'content-type': type, ...a.headers });
  res.end(body);
}

function forward(pebble: URL, ca: string, req: IncomingMessage, body: Buffer, res: ServerResponse) {
  const upstream = request(
    {
      host: pebble.hostname,
      port: pebble.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      ca,
    },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  upstream.end(body);
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of the Pebble whose directory is
 * `pebbleDirectoryUrl`; `caPem` is the CA Pebble's HTTPS certificate chains to.
 */
export async function startFaultProxy(
  pebbleDirectoryUrl: string,
  caPem: string,
): Promise<FaultProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-proxy-'));
  const pebble = new URL(pebbleDirectoryUrl);
  let injector: Injector = () => undefined;
  const requests: FaultProxy['requests'] = [];
  const server: Server = createServer(await makeLeaf(dir), (req, res) => {
    void bodyOf(req).then((body) => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const injected = injector(method, path, body);
      requests.push({ method, path, injected: injected !== undefined });
      if (injected) answer(res, injected);
      else forward(pebble, caPem, req, body, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    directoryUrl: `https://127.0.0.1:${port}${pebble.pathname}`,
    requests,
    inject: (next) => (injector = next),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
