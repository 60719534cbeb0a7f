/**
 * A contract fake of acme-dns (github.com/joohoi/acme-dns), which is not packaged for Debian
 * and so cannot run in these tests. It implements the documented contract the provider
 * relies on: POST /register (201, optional allowfrom CIDRs), POST /update with X-Api-User /
 * X-Api-Key (401 {"error":"forbidden"} on a bad key, a foreign subdomain or an address outside
 * allowfrom; 400 {"error":"bad_txt"} unless the value has 43 characters), exactly two TXT
 * slots per subdomain where each update overwrites the older one, no delete, and an
 * authoritative DNS server (UDP) answering TXT for the registered names.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  canonicalName,
  decodeMessage,
  encodeMessage,
  encodeTxt,
  RRClass,
  RRType,
} from '../../../electron/core/dns/wire.ts';

interface Account {
  username: string;
  password: string;
  subdomain: string;
  allowFrom: string[];
  /** Two slots; `at` orders updates, 0 means never written. */
  slots: { value: string; at: number }[];
}

/** A running fake: its URL, DNS port, and what it received. */
export interface AcmeDnsFake {
  url: string;
  dnsPort: number;
  domain: string;
  /** Paths of every HTTP request received, in order. */
  requests: string[];
  /** Answers 503 to every request while true. */
  failing: boolean;
  /** TXT values the fake's DNS serves for a subdomain. */
  served(subdomain: string): string[];
  stop(): Promise<void>;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) | Number(o), 0) >>> 0;
  const size = Number(bits ?? 32);
  const mask = size === 0 ? 0 : (~0 << (32 - size)) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(net ?? '') & mask) >>> 0;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function register(accounts: Map<string, Account>, domain: string, body: Record<string, unknown>) {
  const allowFrom = Array.isArray(body.allowfrom) ? (body.allowfrom as string[]) : [];
  const account: Account = {
    username: randomUUID(),
    password: randomBytes(30).toString('base64url'),
    subdomain: randomUUID(),
    allowFrom,
    slots: [
      { value: '', at: 0 },
      { value: '', at: 0 },
    ],
  };
  accounts.set(account.username, account);
  const { username, password, subdomain } = account;
  return {
    username,
    password,
    fulldomain: `${subdomain}.${domain}`,
    subdomain,
    allowfrom: allowFrom,
  };
}

function update(
  accounts: Map<string, Account>,
  req: IncomingMessage,
  body: Record<string, unknown>,
  clock: () => number,
): [number, unknown] {
  const account = accounts.get(String(req.headers['x-api-user'] ?? ''));
  const from = req.socket.remoteAddress ?? '';
  const allowed = !account?.allowFrom.length || account.allowFrom.some((c) => inCidr(from, c));
  const keyOk = account !== undefined && req.headers['x-api-key'] === account.password;
  if (!account || !keyOk || !allowed || body.subdomain !== account.subdomain) {
    return [401, { error: 'forbidden' }];
  }
  if (typeof body.txt !== 'string' || body.txt.length !== 43) return [400, { error: 'bad_txt' }];
  const oldest = [...account.slots].sort((a, b) => a.at - b.at)[0] as Account['slots'][number];
  oldest.value = body.txt;
  oldest.at = clock();
  return [200, { txt: body.txt }];
}

function answerDns(socket: Socket, accounts: Map<string, Account>, domain: string) {
  socket.on('message', (msg, rinfo) => {
    const query = decodeMessage(msg);
    const q = query.questions[0];
    if (!q) return;
    const name = canonicalName(q.name);
    const account = [...accounts.values()].find((a) => `${a.subdomain}.${domain}` === name);
    const values = account?.slots.filter((s) => s.value !== '').map((s) => s.value) ?? [];
    const answers =
      q.type === RRType.TXT
        ? values.map((v) => ({
            name,
            type: RRType.TXT,
            class: RRClass.IN,
            ttl: 1,
            data: encodeTxt(v),
          }))
        : [];
    const rcode = account || name === domain ? 0 : 3;
    const header = { ...query.header, qr: true, aa: true, ra: false, rcode };
    const reply = { header, questions: [q], answers, authorities: [], additionals: [] };
    socket.send(encodeMessage(reply), rinfo.port, rinfo.address);
  });
}

/** Starts the fake on 127.0.0.1 (HTTP and DNS on random ports) for zone `domain`. */
export async function startAcmeDnsFake(domain = 'auth.acme-dns.test'): Promise<AcmeDnsFake> {
  const accounts = new Map<string, Account>();
  let tick = 0;
  const fake = { requests: [] as string[], failing: false };
  const http: Server = createServer((req, res) => {
    fake.requests.push(req.url ?? '');
    void readJson(req).then((body) => {
      if (fake.failing) return send(res, 503, { error: 'db_error' });
      if (req.method === 'POST' && req.url === '/register') {
        return send(res, 201, register(accounts, domain, body));
      }
      if (req.method === 'POST' && req.url === '/update') {
        const [status, reply] = update(accounts, req, body, () => ++tick);
        return send(res, status, reply);
      }
      send(res, 404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  answerDns(udp, accounts, domain);
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    dnsPort: udp.address().port,
    domain,
    served: (sub: string) =>
      [...accounts.values()]
        .filter((a) => a.subdomain === sub)
        .flatMap((a) => a.slots.filter((s) => s.value !== '').map((s) => s.value)),
    stop: async () => {
      udp.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  });
}
