import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { CertdeskError } from '../errors.ts';
import {
  canonicalName,
  decodeName,
  encodeName,
  encodeRecord,
  RRClass,
  RRType,
  type DnsMessage,
} from './wire.ts';

/** The TSIG algorithms Certdesk signs with (RFC 8945 §6: SHA-256 is mandatory to implement). */
export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';

/** TSIG error field values (RFC 8945 §3). */
export const TsigErrorCode = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 };

/** Allowed clock difference in seconds, the conventional value (RFC 8945 §10). */
export const TSIG_FUDGE = 300;

const HASH: Record<TsigAlgorithm, { hash: string; macLength: number }> = {
  'hmac-sha256': { hash: 'sha256', macLength: 32 },
  'hmac-sha512': { hash: 'sha512', macLength: 64 },
};

/**
 * A TSIG key ready to sign. The secret lives in a KeyObject, which never prints its bytes,
 * so logging a TsigKey cannot leak it.
 */
export interface TsigKey {
  /** Key name in canonical form (lower case, no trailing dot). */
  name: string;
  /** HMAC algorithm, also the TSIG algorithm name. */
  algorithm: TsigAlgorithm;
  /** The secret; a KeyObject prints no key material. */
  key: KeyObject;
}

/**
 * Parses an algorithm name as an administrator or a server writes it. hmac-sha256 and
 * hmac-sha512 are accepted; hmac-md5 and hmac-sha1 are refused with a sentence saying why
 * and how to make a new key; anything else is unsupported.
 */
export function parseTsigAlgorithm(input: string): TsigAlgorithm {
  const a = input.trim().toLowerCase().replace(/\.$/, '');
  if (a === 'hmac-sha256' || a === 'hmac-sha512') return a;
  const remedy = 'Create an hmac-sha256 key on the DNS server (tsig-keygen -a hmac-sha256 NAME).';
  if (a.startsWith('hmac-md5')) {
    const message = `TSIG algorithm hmac-md5 is refused because MD5 is broken. ${remedy}`;
    throw new CertdeskError({ code: 'dns-tsig-algorithm-refused', message });
  }
  if (a === 'hmac-sha1') {
    const message = `TSIG algorithm hmac-sha1 is legacy and not accepted. ${remedy}`;
    throw new CertdeskError({ code: 'dns-tsig-algorithm-refused', message });
  }
  const message = `TSIG algorithm "${input}" is not supported; use hmac-sha256 or hmac-sha512.`;
  throw new CertdeskError({ code: 'dns-tsig-algorithm-unsupported', message });
}

/**
 * Builds a TsigKey from a key name, algorithm and base64 secret (as in `tsig-keygen` output).
 * Throws dns-tsig-secret-invalid, naming the key but never echoing the secret.
 */
export function createTsigKey(name: string, algorithm: string, secretBase64: string): TsigKey {
  const clean = secretBase64.trim();
  const bytes = Buffer.from(clean, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || bytes.length === 0) {
    const message = `The TSIG secret for key "${name}" is not valid base64; paste it exactly as in the server's key file.`;
    throw new CertdeskError({ code: 'dns-tsig-secret-invalid', message, name });
  }
  encodeName(name);
  return {
    name: canonicalName(name),
    algorithm: parseTsigAlgorithm(algorithm),
    key: createSecretKey(bytes),
  };
}

/** The fields of TSIG rdata (RFC 8945 §4.2). `timeSigned` is in seconds since the epoch. */
export interface TsigFields {
  /** Algorithm name, e.g. 'hmac-sha256'. */
  algorithm: string;
  /** Seconds since the epoch when the message was signed (48 bits on the wire). */
  timeSigned: number;
  /** Seconds of clock difference the signer allows. */
  fudge: number;
  /** The MAC; empty on unsigned BADSIG/BADKEY answers. */
  mac: Buffer;
  /** ID of the message when it was signed. */
  originalId: number;
  /** TSIG error (see TsigErrorCode). */
  error: number;
  /** Other data; on BADTIME the server's time (6 bytes). */
  other: Buffer;
}

function uint48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

function uint16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** TSIG rdata in wire form, algorithm name uncompressed and in lower case. */
export function encodeTsigRdata(f: TsigFields): Buffer {
  return Buffer.concat([
    encodeName(canonicalName(f.algorithm)),
    uint48(f.timeSigned),
    uint16(f.fudge),
    uint16(f.mac.length),
    f.mac,
    uint16(f.originalId),
    uint16(f.error),
    uint16(f.other.length),
    f.other,
  ]);
}

/** Reads TSIG rdata at `rdataOffset` of `msg`; throws dns-malformed-message when cut off. */
export function decodeTsigRdata(msg: Buffer, rdataOffset: number, rdataLength: number): TsigFields {
  const end = rdataOffset + rdataLength;
  const { name, next } = decodeName(msg, rdataOffset);
  const need = (pos: number, n: number) => {
    if (pos + n > end) {
      throw new CertdeskError({
        code: 'dns-malformed-message',
        message: 'A TSIG record is cut off.',
      });
    }
  };
  need(next, 10);
  const macLength = msg.readUInt16BE(next + 8);
  const afterMac = next + 10 + macLength;
  need(afterMac, 6);
  const otherLength = msg.readUInt16BE(afterMac + 4);
  need(afterMac + 6, otherLength);
  return {
    algorithm: name,
    timeSigned: msg.readUIntBE(next, 6),
    fudge: msg.readUInt16BE(next + 6),
    mac: Buffer.from(msg.subarray(next + 10, afterMac)),
    originalId: msg.readUInt16BE(afterMac),
    error: msg.readUInt16BE(afterMac + 2),
    other: Buffer.from(msg.subarray(afterMac + 6, afterMac + 6 + otherLength)),
  };
}

/**
 * The TSIG variables that follow the message in the MAC input (RFC 8945 §4.3.3): key name,
 * class ANY, TTL 0, algorithm name (both canonical), time signed, fudge, error, other data.
 */
export function tsigVariables(keyName: string, f: Omit<TsigFields, 'mac' | 'originalId'>): Buffer {
  return Buffer.concat([
    encodeName(canonicalName(keyName)),
    uint16(RRClass.ANY),
    Buffer.alloc(4),
    encodeName(canonicalName(f.algorithm)),
    uint48(f.timeSigned),
    uint16(f.fudge),
    uint16(f.error),
    uint16(f.other.length),
    f.other,
  ]);
}

/** HMAC of the concatenated parts with the key's algorithm. */
export function computeMac(key: TsigKey, parts: Buffer[]): Buffer {
  const hmac = createHmac(HASH[key.algorithm].hash, key.key);
  for (const p of parts) hmac.update(p);
  return hmac.digest();
}

/**
 * Signs an encoded request (RFC 8945 §5.1): appends a TSIG RR and bumps ARCOUNT. Returns the
 * signed wire message and the request MAC, which verifyResponse needs.
 */
export function signRequest(msg: Buffer, key: TsigKey, nowSeconds: number) {
  const fields = { algorithm: key.algorithm, timeSigned: nowSeconds, fudge: TSIG_FUDGE };
  const vars = { ...fields, error: 0, other: Buffer.alloc(0) };
  const mac = computeMac(key, [msg, tsigVariables(key.name, vars)]);
  const rdata = encodeTsigRdata({ ...vars, mac, originalId: msg.readUInt16BE(0) });
  const rr = { name: key.name, type: RRType.TSIG, class: RRClass.ANY, ttl: 0, data: rdata };
  const head = Buffer.from(msg);
  head.writeUInt16BE(head.readUInt16BE(10) + 1, 10);
  return { wire: Buffer.concat([head, encodeRecord(rr)]), mac };
}

/** Outcome of checking a response's TSIG; only `verified` means the reply can be trusted. */
export type TsigCheck =
  | { status: 'verified' }
  | { status: 'unsigned' }
  | { status: 'wrong-key'; keyName: string; algorithm: string }
  | { status: 'bad-mac' }
  | { status: 'bad-time'; skewSeconds: number }
  | { status: 'server-error'; error: number; signed: boolean };

function macInput(wire: Buffer, tsigOffset: number, f: TsigFields, requestMac: Buffer) {
  const body = Buffer.from(wire.subarray(0, tsigOffset));
  body.writeUInt16BE(f.originalId, 0);
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
  return [uint16(requestMac.length), requestMac, body];
}

/**
 * Verifies the TSIG on a response (RFC 8945 §5.3.4 / §5.4): the last additional RR must be a
 * TSIG by our key and algorithm whose MAC covers the request MAC, the response without the
 * TSIG, and the TSIG variables; then the server's error and the time window are checked.
 * BADSIG/BADKEY answers carry no MAC and come back as unsigned `server-error`.
 */
export function verifyResponse(
  wire: Buffer,
  msg: DnsMessage,
  key: TsigKey,
  requestMac: Buffer,
  nowSeconds: number,
): TsigCheck {
  const rr = msg.additionals.at(-1);
  if (!rr || rr.type !== RRType.TSIG || rr.offset === undefined || rr.rdataOffset === undefined) {
    return { status: 'unsigned' };
  }
  const f = decodeTsigRdata(wire, rr.rdataOffset, rr.data.length);
  if (canonicalName(rr.name) !== key.name || canonicalName(f.algorithm) !== key.algorithm) {
    return { status: 'wrong-key', keyName: rr.name, algorithm: f.algorithm };
  }
  if (f.error !== 0 && f.mac.length === 0)
    return { status: 'server-error', error: f.error, signed: false };
  if (f.mac.length !== HASH[key.algorithm].macLength) return { status: 'bad-mac' };
  const expected = computeMac(key, [
    ...macInput(wire, rr.offset, f, requestMac),
    tsigVariables(rr.name, f),
  ]);
  if (!timingSafeEqual(expected, f.mac)) return { status: 'bad-mac' };
  if (f.error !== 0) return { status: 'server-error', error: f.error, signed: true };
  const skewSeconds = f.timeSigned - nowSeconds;
  if (Math.abs(skewSeconds) > f.fudge) return { status: 'bad-time', skewSeconds };
  return { status: 'verified' };
}
