/**
 * One DNS question to one server, and readers for the record types the challenge checks need
 * (CNAME, NS, SOA, TXT, CAA, A, AAAA). Built on wire.ts and transport.ts rather than Node's
 * resolver so callers see the header RCODE, the AA bit, the RD bit they sent and which server
 * answered: the difference between NXDOMAIN, NODATA, SERVFAIL, REFUSED and a timeout.
 */
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { DnsTransportError, exchangeTcp, exchangeUdp, type DnsEndpoint } from './transport.ts';
import {
  canonicalName,
  decodeMessage,
  decodeName,
  decodeTxt,
  encodeMessage,
  Opcode,
  RRClass,
  type DnsMessage,
  type ResourceRecord,
} from './wire.ts';

/** Record types read by the checks (RFC 1035 §3.2.2, RFC 3596, RFC 8659). */
export const QType = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, CAA: 257 } as const;

/** A DNS server to ask: an IP address (or host name) and a port. */
export interface DnsServer {
  host: string;
  port: number;
}

/** A reply to one question, with the server it came from and the raw message for rdata names. */
export interface DnsReply {
  server: DnsServer;
  rcode: number;
  /** True when the server said it is authoritative for the answer. */
  aa: boolean;
  message: DnsMessage;
  wire: Buffer;
}

/** No usable reply from one server: timeout, socket error or a malformed/mismatched reply. */
export class DnsQueryError extends Error {
  /** `host:port` of the server asked. */
  readonly server: string;
  /** True when the server did not answer within the deadline. */
  readonly timedOut: boolean;

  constructor(server: string, message: string, timedOut: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.server = server;
    this.timedOut = timedOut;
  }
}

/** How to ask: RD bit, deadline per attempt, and how many UDP attempts on timeout. */
export interface QueryOptions {
  recurse: boolean;
  timeoutMs: number;
  /** UDP attempts when a reply does not arrive in time; default 2. */
  tries?: number;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** `host:port`, IPv6 hosts in brackets; the form every message uses to name a server. */
export function serverLabel(server: DnsServer): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/** The mnemonic of a header RCODE (RFC 1035 §4.1.1), or `RCODE n`. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE ${rcode}`;
}

/**
 * Asks `server` one question (class IN) over UDP, again over TCP when the reply is truncated.
 * Resolves with any reply whose question matches, whatever its RCODE; rejects with
 * DnsQueryError when no usable reply arrives. Never retries other than the UDP `tries`.
 */
export async function queryDns(
  server: DnsServer,
  name: string,
  type: number,
  opts: QueryOptions,
): Promise<DnsReply> {
  const qname = canonicalName(name);
  const id = randomInt(0, 0x10000);
  const flags = { qr: false, opcode: Opcode.QUERY, aa: false, tc: false, ra: false, rcode: 0 };
  const query = encodeMessage({
    header: { id, ...flags, rd: opts.recurse },
    questions: [{ name: qname, type, class: RRClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });
  const ep: DnsEndpoint = { host: server.host, port: server.port, timeoutMs: opts.timeoutMs };
  let wire = await exchange(ep, query, opts.tries ?? 2, 'udp');
  let message = parse(server, wire);
  if (message.header.tc) {
    wire = await exchange(ep, query, 1, 'tcp');
    message = parse(server, wire);
  }
  const q = message.questions[0];
  if (!q || canonicalName(q.name) !== qname || q.type !== type) {
    throw new DnsQueryError(serverLabel(server), 'answered a different question', false);
  }
  return { server, rcode: message.header.rcode, aa: message.header.aa, message, wire };
}

async function exchange(ep: DnsEndpoint, query: Buffer, tries: number, via: 'udp' | 'tcp') {
  const send = via === 'udp' ? exchangeUdp : exchangeTcp;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(ep, query);
    } catch (e) {
      const timedOut = e instanceof DnsTransportError && e.timedOut;
      if (timedOut && attempt < tries) continue;
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      const reason = timedOut
        ? 'did not answer in time'
        : `could not be reached (${typeof code === 'string' ? code : (e as Error).message})`;
      throw new DnsQueryError(`${ep.host}:${ep.port}`, reason, timedOut, e);
    }
  }
}

function parse(server: DnsServer, wire: Buffer): DnsMessage {
  try {
    return decodeMessage(wire);
  } catch (e) {
    throw new DnsQueryError(serverLabel(server), 'sent a malformed reply', false, e);
  }
}

/** Answer-section records of `type` owned by `name` (compared case-insensitively). */
export function recordsAt(reply: DnsReply, name: string, type: number): ResourceRecord[] {
  const owner = canonicalName(name);
  return reply.message.answers.filter((rr) => rr.type === type && canonicalName(rr.name) === owner);
}

/** The domain name in a CNAME or NS record's rdata, lower case without the trailing dot. */
export function rdataName(reply: DnsReply, rr: ResourceRecord): string {
  return canonicalName(decodeName(reply.wire, rr.rdataOffset ?? 0).name);
}

/** TXT values owned by `name` in the answer, each record's character-strings joined. */
export function txtValuesAt(reply: DnsReply, name: string): string[] {
  return recordsAt(reply, name, QType.TXT).map((rr) => decodeTxt(rr.data));
}

/**
 * Follows the CNAME records inside one answer from `name` (a recursive reply carries the whole
 * chain) and returns the last owner reached; at most 16 steps, so a looping answer ends.
 */
export function answerChainEnd(reply: DnsReply, name: string): string {
  let current = canonicalName(name);
  for (let step = 0; step < 16; step++) {
    const cname = recordsAt(reply, current, QType.CNAME)[0];
    if (!cname) break;
    current = rdataName(reply, cname);
  }
  return current;
}

/** One CAA property (RFC 8659 §4.1): flags byte, tag and value. */
export interface CaaProperty {
  flags: number;
  tag: string;
  value: string;
}

/** Decodes CAA rdata; a record too short to hold its tag yields an empty tag. */
export function decodeCaa(rr: ResourceRecord): CaaProperty {
  const flags = rr.data[0] ?? 0;
  const tagLength = rr.data[1] ?? 0;
  const tag = rr.data.toString('latin1', 2, Math.min(2 + tagLength, rr.data.length));
  const value = rr.data.toString('utf8', Math.min(2 + tagLength, rr.data.length));
  return { flags, tag, value };
}

/** Zone-file form of a CAA property, e.g. `0 issue "letsencrypt.org"`. */
export function presentCaa(p: CaaProperty): string {
  return `${p.flags} ${p.tag} "${p.value.replace(/(["\\])/g, '\\$1')}"`;
}

/** The address in an A or AAAA record (AAAA uncompressed); '' for other types. */
export function decodeAddress(rr: ResourceRecord): string {
  if (rr.type === QType.A && rr.data.length === 4) return [...rr.data].join('.');
  if (rr.type !== QType.AAAA || rr.data.length !== 16) return '';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(rr.data.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** The parent of a name (`a.b.c` → `b.c`, `c` → ''); '' stays ''. */
export function parentName(name: string): string {
  const n = canonicalName(name);
  const dot = n.indexOf('.');
  return dot < 0 ? '' : n.slice(dot + 1);
}
