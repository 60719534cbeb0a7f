import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createTsigKey,
  parseTsigAlgorithm,
  signRequest,
  verifyResponse,
  type TsigKey,
} from '../../../electron/core/dns/tsig.ts';
import {
  decodeMessage,
  encodeMessage,
  encodeTxt,
  Opcode,
} from '../../../electron/core/dns/wire.ts';
import { freePort } from '../../rig/ports.ts';

// Everything below spells out RFC 8945 byte layouts by hand, so the tests do not reuse the
// code they check.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u16 = (n: number) => hex(n.toString(16).padStart(4, '0'));
const u48 = (n: number) => hex(n.toString(16).padStart(12, '0'));
const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const SECRET64 = SECRET.toString('base64');
const KEY_WIRE = hex('02 6b31 00'); // "k1."
const ALG = {
  'hmac-sha256': { wire: hex('0b 686d61632d736861323536 00'), hash: 'sha256', len: 32 },
  'hmac-sha512': { wire: hex('0b 686d61632d736861353132 00'), hash: 'sha512', len: 64 },
};
const T = 1_700_000_000; // 0x6553f100

function request(): Buffer {
  return encodeMessage({
    header: {
      id: 0xbeef,
      qr: false,
      opcode: Opcode.UPDATE,
      aa: false,
      tc: false,
      rd: false,
      ra: false,
      rcode: 0,
    },
    questions: [{ name: 'v.test', type: 6, class: 1 }],
    answers: [],
    authorities: [{ name: 'k.v.test', type: 16, class: 1, ttl: 60, data: encodeTxt('A') }],
    additionals: [],
  });
}

function hmac(alg: keyof typeof ALG, parts: Buffer[]): Buffer {
  const h = createHmac(ALG[alg].hash, SECRET);
  parts.forEach((p) => h.update(p));
  return h.digest();
}

describe('signRequest', () => {
  it.each(['hmac-sha256', 'hmac-sha512'] as const)(
    'appends a %s TSIG RR whose MAC covers the message and the RFC 8945 §4.3.3 variables',
    (alg) => {
      const msg = request();
      const { wire, mac } = signRequest(msg, createTsigKey('K1.', alg, SECRET64), T);
      const variables = Buffer.concat([
        KEY_WIRE,
        hex('00ff 00000000'),
        ALG[alg].wire,
        u48(T),
        hex('012c 0000 0000'),
      ]);
      const expectedMac = hmac(alg, [msg, variables]);
      const rdata = Buffer.concat([
        ALG[alg].wire,
        u48(T),
        hex('012c'),
        u16(ALG[alg].len),
        expectedMac,
        hex('beef 0000 0000'),
      ]);
      const rr = Buffer.concat([KEY_WIRE, hex('00fa 00ff 00000000'), u16(rdata.length), rdata]);
      const head = Buffer.from(msg);
      head.writeUInt16BE(1, 10);
      expect(wire.toString('hex')).toBe(Buffer.concat([head, rr]).toString('hex'));
      expect(mac.toString('hex')).toBe(expectedMac.toString('hex'));
    },
  );

  it('produces byte for byte the TSIG that BIND 9 dig makes for the same message and time', async () => {
    const captured = await captureDigQuery();
    const parsed = decodeMessage(captured);
    const tsig = parsed.additionals.at(-1);
    expect(tsig?.type).toBe(250);
    const stripped = Buffer.from(captured.subarray(0, tsig?.offset));
    stripped.writeUInt16BE(stripped.readUInt16BE(10) - 1, 10);
    const timeSigned = tsig?.data.readUIntBE(ALG['hmac-sha256'].wire.length, 6) ?? 0;
    const ours = signRequest(stripped, createTsigKey('k1', 'hmac-sha256', SECRET64), timeSigned);
    expect(ours.wire.toString('hex')).toBe(captured.toString('hex'));
  });
});

/** Runs `dig -k` at a UDP socket of ours and returns the first (signed) datagram it sends. */
async function captureDigQuery(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'certdesk-tsig-'));
  const keyFile = join(dir, 'k1.key');
  await writeFile(keyFile, `key "k1" { algorithm hmac-sha256; secret "${SECRET64}"; };\n`);
  const port = await freePort({ udp: true });
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(port, '127.0.0.1', r));
  const dig = spawn('dig', [
    '@127.0.0.1',
    '-p',
    String(port),
    '-k',
    keyFile,
    '+tries=1',
    '+time=5',
    'v.test',
    'SOA',
  ]);
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      socket.once('message', (m) => resolve(m));
      dig.once('exit', (code) => reject(new Error(`dig exited ${code} before sending`)));
    });
  } finally {
    dig.kill();
    socket.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface ServerTsig {
  keyWire?: Buffer;
  alg?: keyof typeof ALG;
  time?: number;
  error?: number;
  other?: Buffer;
  macBytes?: number;
  emptyMac?: boolean;
}

/** A response as a server would sign it (RFC 8945 §5.3), built from literal fields. */
function serverSign(response: Buffer, requestMac: Buffer, o: ServerTsig = {}): Buffer {
  const alg = o.alg ?? 'hmac-sha256';
  const keyWire = o.keyWire ?? KEY_WIRE;
  const time = o.time ?? T;
  const tail = [u16(o.error ?? 0), u16(o.other?.length ?? 0), o.other ?? Buffer.alloc(0)];
  const vars = Buffer.concat([
    keyWire,
    hex('00ff 00000000'),
    ALG[alg].wire,
    u48(time),
    hex('012c'),
    ...tail,
  ]);
  const full = hmac(alg, [u16(requestMac.length), requestMac, response, vars]);
  const mac = o.emptyMac ? Buffer.alloc(0) : full.subarray(0, o.macBytes ?? full.length);
  const rdata = Buffer.concat([
    ALG[alg].wire,
    u48(time),
    hex('012c'),
    u16(mac.length),
    mac,
    response.subarray(0, 2),
    ...tail,
  ]);
  const head = Buffer.from(response);
  head.writeUInt16BE(head.readUInt16BE(10) + 1, 10);
  return Buffer.concat([head, keyWire, hex('00fa 00ff 00000000'), u16(rdata.length), rdata]);
}

const RESPONSE = hex('beef a800 0001 0000 0000 0000 01 76 04 74657374 00 0006 0001');
const REQUEST_MAC = hex('aa'.repeat(32));

function check(wire: Buffer, key: TsigKey = createTsigKey('k1', 'hmac-sha256', SECRET64), now = T) {
  return verifyResponse(wire, decodeMessage(wire), key, REQUEST_MAC, now);
}

describe('verifyResponse', () => {
  const tampered = serverSign(RESPONSE, REQUEST_MAC);
  tampered[3] = 0x85; // REFUSED instead of NOERROR after signing
  const forwarded = serverSign(RESPONSE, REQUEST_MAC);
  forwarded.writeUInt16BE(0x0001, 0); // ID rewritten; the MAC covers the original ID

  it.each(
    (
      [
        ['a correctly signed reply', serverSign(RESPONSE, REQUEST_MAC), 'verified'],
        ['a reply whose ID was rewritten on the way', forwarded, 'verified'],
        [
          'a reply signed 299 s in the future',
          serverSign(RESPONSE, REQUEST_MAC, { time: T + 299 }),
          'verified',
        ],
        [
          'a reply signed 301 s in the past',
          serverSign(RESPONSE, REQUEST_MAC, { time: T - 301 }),
          'bad-time',
        ],
        ['a reply changed after signing', tampered, 'bad-mac'],
        ['a reply to another request', serverSign(RESPONSE, hex('bb'.repeat(32))), 'bad-mac'],
        [
          'a reply with a truncated MAC',
          serverSign(RESPONSE, REQUEST_MAC, { macBytes: 16 }),
          'bad-mac',
        ],
        ['a reply without TSIG', RESPONSE, 'unsigned'],
        [
          'a reply signed by another key',
          serverSign(RESPONSE, REQUEST_MAC, { keyWire: hex('02 6b32 00') }),
          'wrong-key',
        ],
        [
          'a reply signed with another algorithm',
          serverSign(RESPONSE, REQUEST_MAC, { alg: 'hmac-sha512' }),
          'wrong-key',
        ],
      ] as Array<[string, Buffer, string]>
    ).map(([label, wire, status]) => [label, status, wire] as const),
  )('classifies %s as %s', (_, status, wire) => {
    expect(check(wire).status).toBe(status);
  });

  it('reports an unsigned BADSIG answer as a server error it could not authenticate', () => {
    const wire = serverSign(RESPONSE, REQUEST_MAC, { error: 16, emptyMac: true });
    expect(check(wire)).toEqual({ status: 'server-error', error: 16, signed: false });
  });

  it('reports a signed BADTIME answer as an authenticated server error', () => {
    const wire = serverSign(RESPONSE, REQUEST_MAC, { error: 18, other: u48(T + 900) });
    expect(check(wire)).toEqual({ status: 'server-error', error: 18, signed: true });
  });
});

describe('parseTsigAlgorithm', () => {
  it.each([
    ['hmac-sha256', 'hmac-sha256'],
    ['HMAC-SHA512.', 'hmac-sha512'],
    [' hmac-sha256 ', 'hmac-sha256'],
  ])('accepts %j', (input, alg) => expect(parseTsigAlgorithm(input)).toBe(alg));

  it.each([
    ['hmac-md5', 'dns-tsig-algorithm-refused', /MD5 is broken/],
    ['hmac-md5.sig-alg.reg.int.', 'dns-tsig-algorithm-refused', /MD5 is broken/],
    ['hmac-sha1', 'dns-tsig-algorithm-refused', /legacy/],
    ['hmac-sha224', 'dns-tsig-algorithm-unsupported', /hmac-sha256 or hmac-sha512/],
    ['gss-tsig', 'dns-tsig-algorithm-unsupported', /hmac-sha256 or hmac-sha512/],
  ])('refuses %j with %s and says why', (input, code, words) => {
    expect(() => parseTsigAlgorithm(input)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(words) }),
    );
  });
});

describe('createTsigKey', () => {
  it.each(['not base64!!', '', 'QUJD=QUJD'])('refuses secret %j without echoing it', (secret) => {
    try {
      createTsigKey('k1', 'hmac-sha256', secret);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'dns-tsig-secret-invalid', identifier: 'k1' });
      if (secret) expect(String((e as Error).message)).not.toContain(secret);
    }
  });
});
