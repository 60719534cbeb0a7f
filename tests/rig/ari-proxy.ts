/**
 * ARI proxy in front of Pebble: Pebble 2.4.0 has no ACME Renewal Information (it came in 2.6),
 * so this small HTTPS proxy in front of the REAL Pebble adds it. It adds `renewalInfo` to the
 * directory, serves the windows a test sets (or a default derived from a certificate it saw
 * Pebble issue), records the `replaces` field of every newOrder, and can answer one replacing
 * newOrder with `alreadyReplaced`. Every other request goes to Pebble unchanged, nonces
 * included; the Host header is kept, so Pebble builds its URLs and checks each JWS `url`
 * against the proxy's address, and any absolute Pebble URL left in a body or a Location/Link
 * header is rewritten to the proxy. Its TLS certificate is signed by the run's rig CA
 * (CERTDESK_RIG_TLS_DIR), which test workers trust through NODE_EXTRA_CA_CERTS; TLS
 * verification stays on everywhere.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from './proc.ts';
import { RIG_HOST } from './ports.ts';

/** Path of the renewalInfo resource the proxy adds (Pebble 2.6+ and LE use other paths). */
export const RENEWAL_INFO_PATH = '/ari-proxy/renewal-info';
/** Retry-After of renewalInfo answers unless a window sets its own: 6 hours, as LE sends. */
export const DEFAULT_RETRY_AFTER_SECONDS = 21_600;

/** A window the proxy serves for one CertID; end ≤ start is allowed, to test invalid windows. */
export interface ServedWindow {
  start: Date;
  end: Date;
  explanationUrl?: string;
  retryAfterSeconds?: number;
}

/** One newOrder the proxy saw, in order. */
export interface SeenOrder {
  identifiers: string[];
  /** The `replaces` field of the order, when the client sent one. */
  replaces?: string;
  /** True when the proxy answered it with alreadyReplaced instead of forwarding it. */
  answeredAlreadyReplaced: boolean;
}

/** A running ARI proxy in front of Pebble. */
export interface AriProxy {
  /** Pebble's directory through the proxy, with `renewalInfo` added. */
  directoryUrl: string;
  /** The renewalInfo base URL the directory announces. */
  renewalInfoUrl: string;
  /** Every newOrder seen, with its `replaces`. */
  orders: SeenOrder[];
  /** Every renewalInfo request: CertID, method and status answered. */
  renewalInfoRequests: { certId: string; method: string; status: number }[];
  /** Serve `window` for `certId` from now on (replaces the default for that certificate). */
  setWindow(certId: string, window: ServedWindow): void;
  /** Answer the next newOrder that carries `replaces` with 409 alreadyReplaced, once. */
  rejectNextReplacingOrder(): void;
  stop(): Promise<void>;
}

/**
 * The window served for a certificate no test set one for: from 45 % to 55 % of its lifetime.
 * Let's Encrypt places it near 2/3 of a 90-day certificate, but the tests' certificates live
 * seconds, and for those the emergency floor is 1/3 of the lifetime left (at 2/3): a window
 * reaching past it made "renewed inside the ARI window" depend on how late a busy machine
 * fired the timer. Ending at 55 % leaves 2 s of a 20 s certificate before the floor.
 */
export function defaultWindowOf(notBefore: Date, notAfter: Date): { start: Date; end: Date } {
  const from = notBefore.getTime();
  const life = notAfter.getTime() - from;
  return { start: new Date(from + 0.45 * life), end: new Date(from + 0.55 * life) };
}

async function makeProxyTls(dir: string): Promise<{ key: string; cert: string }> {
  const ca = process.env.CERTDESK_RIG_TLS_DIR;
  if (!ca) throw new Error('CERTDESK_RIG_TLS_DIR is not set; run through vitest (global setup)');
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const subject = ['-subj', '/CN=ARI proxy in front of Pebble'];
  await runOk('openssl', ['req', ...ec, ...subject, '-keyout', file('k.pem'), '-out', file('r')]);
  await writeFile(file('ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const sign = ['x509', '-req', '-in', file('r'), '-CA', join(ca, 'ca.pem')];
  sign.push('-CAkey', join(ca, 'ca.key'), '-CAcreateserial', '-CAserial', file('srl'));
  sign.push('-days', '1', '-extfile', file('ext'), '-out', file('c.pem'));
  await runOk('openssl', sign);
  const [key, cert] = [file('k.pem'), file('c.pem')].map((f) => readFile(f, 'utf8'));
  return { key: await (key as Promise<string>), cert: await (cert as Promise<string>) };
}

async function bodyOf(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The payload of a flattened JWS request body; {} when it has none or cannot be read. */
export function jwsPayloadOf(body: Buffer): Record<string, unknown> {
  try {
    const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
    if (!jws.payload) return {};
    const payload = Buffer.from(jws.payload, 'base64url').toString('utf8');
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Serial in upper-case hex without leading zeros, the key certificates are kept under. */
function serialKey(hex: string): string {
  return hex
    .replaceAll(':', '')
    .toUpperCase()
    .replace(/^0+(?=.)/, '');
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type PebbleRequest = { method?: string; path: string; headers: OutgoingHttpHeaders };

/** Sends a request to Pebble with the client's headers (Host kept) and buffers the answer. */
function toPebble(pebble: URL, ca: string, req: PebbleRequest, body?: Buffer): Promise<Upstream> {
  const headers: OutgoingHttpHeaders = { ...req.headers };
  delete headers['accept-encoding']; // bodies must stay plain text to be rewritten
  const target = { host: pebble.hostname, port: pebble.port, ca, agent: false as const };
  return new Promise((resolve, reject) => {
    const upstream = request({ ...req, headers, ...target }, (res) => {
      const done = (data: Buffer) =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: data });
      bodyOf(res).then(done, reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

class AriProxyServer {
  readonly orders: SeenOrder[] = [];
  readonly renewalInfoRequests: AriProxy['renewalInfoRequests'] = [];
  readonly windows = new Map<string, ServedWindow>();
  readonly certificates = new Map<string, { notBefore: Date; notAfter: Date }>();
  rejectNext = false;
  origin = '';

  constructor(
    private readonly pebble: URL,
    private readonly caPem: string,
    private readonly paths: { directory: string; newOrder: string; newNonce: string },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = await bodyOf(req);
    if (path.startsWith(`${RENEWAL_INFO_PATH}/`)) return this.renewalInfo(method, path, res);
    if (method === 'POST' && path === this.paths.newOrder && this.refuseOrder(body)) {
      return this.alreadyReplaced(req.headers, res);
    }
    const answer = await toPebble(
      this.pebble,
      this.caPem,
      { method, path, headers: req.headers },
      body,
    );
    this.noteCertificate(answer);
    let out = this.rewrite(answer.body);
    if (method === 'GET' && path === this.paths.directory && answer.status === 200) {
      const directory = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
      out = Buffer.from(
        JSON.stringify({ ...directory, renewalInfo: this.origin + RENEWAL_INFO_PATH }),
      );
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || name === 'content-length' || name === 'transfer-encoding')
        continue;
      headers[name] = name === 'location' || name === 'link' ? this.rewriteHeader(value) : value;
    }
    res.writeHead(answer.status, { ...headers, 'content-length': String(out.length) });
    res.end(method === 'HEAD' ? undefined : out);
  }

  /** Records the newOrder; true when it must be answered with alreadyReplaced. */
  refuseOrder(body: Buffer): boolean {
    const payload = jwsPayloadOf(body);
    const ids = Array.isArray(payload.identifiers)
      ? (payload.identifiers as { value?: unknown }[])
      : [];
    const replaces = typeof payload.replaces === 'string' ? payload.replaces : undefined;
    const refuse = this.rejectNext && replaces !== undefined;
    if (refuse) this.rejectNext = false;
    const seen: SeenOrder = {
      identifiers: ids.map((i) => String(i.value)),
      answeredAlreadyReplaced: refuse,
    };
    this.orders.push(replaces === undefined ? seen : { ...seen, replaces });
    return refuse;
  }

  async alreadyReplaced(headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
    const head = { method: 'HEAD', path: this.paths.newNonce, headers: { host: headers.host } };
    const nonce = await toPebble(this.pebble, this.caPem, head);
    const problem = {
      type: 'urn:ietf:params:acme:error:alreadyReplaced',
      detail:
        'ARI proxy in front of Pebble: the certificate named in replaces was already replaced',
      status: 409,
    };
    res.writeHead(409, {
      'content-type': 'application/problem+json',
      'replay-nonce': String(nonce.headers['replay-nonce'] ?? ''),
      'cache-control': 'no-store',
    });
    res.end(JSON.stringify(problem));
  }

  renewalInfo(method: string, path: string, res: ServerResponse): void {
    const certId = decodeURIComponent(path.slice(RENEWAL_INFO_PATH.length + 1));
    const window = this.windowFor(certId);
    const status = method !== 'GET' ? 405 : window ? 200 : 404;
    this.renewalInfoRequests.push({ certId, method, status });
    if (status !== 200 || !window) {
      res.writeHead(status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', detail: `no window for ${certId}`, status }));
      return;
    }
    const answer = {
      suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() },
      ...(window.explanationUrl ? { explanationURL: window.explanationUrl } : {}),
    };
    const retryAfter = String(window.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    res.writeHead(200, { 'content-type': 'application/json', 'retry-after': retryAfter });
    res.end(JSON.stringify(answer));
  }

  /** The set window, else the default for a certificate Pebble issued through the proxy. */
  windowFor(certId: string): ServedWindow | undefined {
    const set = this.windows.get(certId);
    if (set) return set;
    const serialPart = certId.split('.')[1] ?? '';
    const cert = this.certificates.get(
      serialKey(Buffer.from(serialPart, 'base64url').toString('hex')),
    );
    return cert ? defaultWindowOf(cert.notBefore, cert.notAfter) : undefined;
  }

  /** Remembers the validity of every leaf certificate Pebble hands out, by serial. */
  noteCertificate(answer: Upstream): void {
    if (!String(answer.headers['content-type'] ?? '').includes('pem-certificate-chain')) return;
    const leaf = new X509Certificate(answer.body); // a chain Pebble sent; it parses
    const validity = { notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) };
    this.certificates.set(serialKey(leaf.serialNumber), validity);
  }

  rewrite(body: Buffer): Buffer {
    const text = body.toString('utf8');
    return text.includes(this.pebble.origin)
      ? Buffer.from(text.replaceAll(this.pebble.origin, this.origin))
      : body;
  }

  rewriteHeader(value: string | string[]): string | string[] {
    const one = (v: string) => v.replaceAll(this.pebble.origin, this.origin);
    return Array.isArray(value) ? value.map(one) : one(value);
  }
}

/**
 * Starts the ARI proxy in front of Pebble on 127.0.0.1 (a free port). `pebbleDirectoryUrl` is
 * Pebble's own directory; `caPem` the CA Pebble's HTTPS certificate chains to.
 */
export async function startAriProxy(pebbleDirectoryUrl: string, caPem: string): Promise<AriProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-ari-proxy-'));
  const pebble = new URL(pebbleDirectoryUrl);
  const found = await toPebble(pebble, caPem, { path: pebble.pathname, headers: {} });
  const directory = JSON.parse(found.body.toString('utf8')) as Record<string, string>;
  const pathOf = (key: string) => new URL(directory[key] as string).pathname;
  const paths = {
    directory: pebble.pathname,
    newOrder: pathOf('newOrder'),
    newNonce: pathOf('newNonce'),
  };
  const proxy = new AriProxyServer(pebble, caPem, paths);
  const server = createServer(await makeProxyTls(dir), (req, res) => {
    proxy.handle(req, res).catch(() => res.destroy());
  });
  server.listen(0, RIG_HOST);
  await once(server, 'listening');
  proxy.origin = `https://${RIG_HOST}:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: proxy.origin + pebble.pathname,
    renewalInfoUrl: proxy.origin + RENEWAL_INFO_PATH,
    orders: proxy.orders,
    renewalInfoRequests: proxy.renewalInfoRequests,
    setWindow: (certId, window) => void proxy.windows.set(certId, window),
    rejectNextReplacingOrder: () => void (proxy.rejectNext = true),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
