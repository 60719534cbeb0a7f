import { CertdeskError } from '../errors.ts';

/** RR types Certdesk reads or writes (RFC 1035 §3.2.2, RFC 8945 §4.2). */
export const RRType = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, TSIG: 250, ANY: 255 } as const;

/** RR classes: IN for data, NONE to delete one RR and ANY for RRsets (RFC 2136 §2.5). */
export const RRClass = { IN: 1, NONE: 254, ANY: 255 } as const;

/** Header opcodes: QUERY and UPDATE (RFC 2136 §2.2). */
export const Opcode = { QUERY: 0, UPDATE: 5 } as const;

/** The fixed 12-byte DNS header, with the four section counts derived from the message. */
export interface DnsHeader {
  /** Message ID; a reply carries the request's. */
  id: number;
  /** True in a response. */
  qr: boolean;
  /** Opcode (see Opcode). */
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated: a UDP reply that did not fit; ask again over TCP. */
  tc: boolean;
  /** Recursion desired; Certdesk sends false to ask the server about its own data. */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** The 4-bit header RCODE (TSIG's extended errors live in the TSIG RR, not here). */
  rcode: number;
}

/** A question, or in an UPDATE the zone section entry. */
export interface Question {
  /** Owner name without trailing dot. */
  name: string;
  /** RR type (see RRType). */
  type: number;
  /** RR class (see RRClass). */
  class: number;
}

/**
 * A resource record with raw rdata. On decode, `offset` is where the record starts and
 * `rdataOffset` where its rdata starts in the message (names in rdata may be compressed).
 */
export interface ResourceRecord {
  /** Owner name without trailing dot. */
  name: string;
  /** RR type (see RRType). */
  type: number;
  /** RR class; NONE/ANY carry RFC 2136 delete semantics. */
  class: number;
  /** TTL in seconds. */
  ttl: number;
  /** Raw rdata bytes. */
  data: Buffer;
  /** Decode only: byte offset of the record's owner name in the message. */
  offset?: number;
  /** Decode only: byte offset of the rdata in the message. */
  rdataOffset?: number;
}

/**
 * A whole DNS message. For UPDATE (RFC 2136 §2) the sections are read as zone, prerequisite,
 * update and additional in place of question, answer, authority and additional.
 */
export interface DnsMessage {
  /** Flags and ID; section counts are derived from the arrays. */
  header: DnsHeader;
  /** Question section (UPDATE: zone section). */
  questions: Question[];
  /** Answer section (UPDATE: prerequisites). */
  answers: ResourceRecord[];
  /** Authority section (UPDATE: the updates). */
  authorities: ResourceRecord[];
  /** Additional section; a TSIG RR must be its last record. */
  additionals: ResourceRecord[];
}

function malformed(message: string): CertdeskError {
  return new CertdeskError({ code: 'dns-malformed-message', message });
}

/**
 * Encodes a domain name in uncompressed wire form (RFC 1035 §3.1). Accepts a trailing dot;
 * '' and '.' are the root. Labels are taken literally: no `\.` or `\DDD` escapes. Throws dns-malformed-message for empty or over-long labels.
 */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) {
      throw malformed(`The DNS name "${name}" has an empty label or one over 63 bytes.`);
    }
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > 255) throw malformed(`The DNS name "${name}" is longer than 255 bytes.`);
  return wire;
}

/** Canonical form for comparing names: lower case, no trailing dot. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/**
 * Decodes a possibly compressed name starting at `offset` (RFC 1035 §4.1.4). Returns the
 * name without a trailing dot ('' for the root) and the offset just past it in the original
 * position. Throws dns-malformed-message on pointer loops or reads past the end.
 */
export function decodeName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  for (let jumps = 0; jumps < 128;) {
    if (pos >= msg.length) throw malformed('A DNS name runs past the end of the message.');
    const len = msg[pos] as number;
    if (len === 0) return { name: labels.join('.'), next: next < 0 ? pos + 1 : next };
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) throw malformed('A DNS name pointer is cut off.');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | (msg[pos + 1] as number);
      jumps++;
      continue;
    }
    if ((len & 0xc0) !== 0) throw malformed('A DNS name uses an unknown label type.');
    if (pos + 1 + len > msg.length) throw malformed('A DNS label runs past the end.');
    labels.push(msg.toString('utf8', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw malformed('A DNS name has a compression pointer loop.');
}

/**
 * TXT rdata for one value: the UTF-8 bytes cut into character-strings of at most 255 bytes
 * (RFC 1035 §3.3.14); the empty value is one empty character-string.
 */
export function encodeTxt(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

/** Joins the character-strings of TXT rdata into one value, as DNS-01 validators do. */
export function decodeTxt(rdata: Buffer): string {
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < rdata.length;) {
    const len = rdata[pos] as number;
    if (pos + 1 + len > rdata.length) throw malformed('A TXT character-string is cut off.');
    chunks.push(rdata.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function encodeHeader(h: DnsHeader, counts: number[]): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(h.id & 0xffff, 0);
  const flags =
    (h.qr ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.aa ? 0x0400 : 0) |
    (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.rcode & 0xf);
  b.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i));
  return b;
}

function encodeQuestion(q: Question): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(q.type, 0);
  tail.writeUInt16BE(q.class, 2);
  return Buffer.concat([encodeName(q.name), tail]);
}

/** Wire form of one RR, owner name uncompressed. */
export function encodeRecord(rr: ResourceRecord): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(rr.class, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rr.data.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rr.data]);
}

/** Encodes a message without compression; section counts come from the arrays. */
export function encodeMessage(m: DnsMessage): Buffer {
  const sections = [m.answers, m.authorities, m.additionals];
  const counts = [m.questions.length, ...sections.map((s) => s.length)];
  return Buffer.concat([
    encodeHeader(m.header, counts),
    ...m.questions.map(encodeQuestion),
    ...sections.flat().map(encodeRecord),
  ]);
}

function decodeHeader(msg: Buffer): DnsHeader {
  if (msg.length < 12) throw malformed('The DNS message is shorter than its 12-byte header.');
  const flags = msg.readUInt16BE(2);
  return {
    id: msg.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
  };
}

function decodeRecord(msg: Buffer, offset: number): { rr: ResourceRecord; next: number } {
  const { name, next } = decodeName(msg, offset);
  if (next + 10 > msg.length) throw malformed('A DNS record header is cut off.');
  const len = msg.readUInt16BE(next + 8);
  const start = next + 10;
  if (start + len > msg.length) throw malformed('DNS record data runs past the end.');
  const rr: ResourceRecord = {
    name,
    type: msg.readUInt16BE(next),
    class: msg.readUInt16BE(next + 2),
    ttl: msg.readUInt32BE(next + 4),
    data: Buffer.from(msg.subarray(start, start + len)),
    offset,
    rdataOffset: start,
  };
  return { rr, next: start + len };
}

/**
 * Decodes a whole message, following name compression. Throws dns-malformed-message on any
 * truncation; trailing bytes after the counted records are ignored.
 */
export function decodeMessage(msg: Buffer): DnsMessage {
  const header = decodeHeader(msg);
  const counts = [4, 6, 8, 10].map((o) => msg.readUInt16BE(o));
  let pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < (counts[0] as number); i++) {
    const { name, next } = decodeName(msg, pos);
    if (next + 4 > msg.length) throw malformed('A DNS question is cut off.');
    questions.push({ name, type: msg.readUInt16BE(next), class: msg.readUInt16BE(next + 2) });
    pos = next + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      const { rr, next } = decodeRecord(msg, pos);
      sections[s]?.push(rr);
      pos = next;
    }
  }
  const [answers, authorities, additionals] = sections as [
    ResourceRecord[],
    ResourceRecord[],
    ResourceRecord[],
  ];
  return { header, questions, answers, authorities, additionals };
}
