import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  decodeName,
  decodeTxt,
  encodeMessage,
  encodeName,
  encodeTxt,
  Opcode,
  RRClass,
  RRType,
  type DnsHeader,
  type DnsMessage,
} from '../../../electron/core/dns/wire.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function chunkLengths(rdata: Buffer): number[] {
  const lengths: number[] = [];
  for (let pos = 0; pos < rdata.length; pos += 1 + (rdata[pos] as number)) {
    lengths.push(rdata[pos] as number);
  }
  return lengths;
}

describe('encodeName', () => {
  it.each([
    ['example.test', '07 6578616d706c65 04 74657374 00'],
    ['example.test.', '07 6578616d706c65 04 74657374 00'],
    [
      '_acme-challenge.H1.example.test',
      '0f 5f61636d652d6368616c6c656e6765 02 4831 07 6578616d706c65 04 74657374 00',
    ],
    ['', '00'],
    ['.', '00'],
  ])('writes %j as length-prefixed labels', (name, wire) => {
    expect(encodeName(name).toString('hex')).toBe(hex(wire).toString('hex'));
  });

  it.each([
    ['a label of 64 bytes', `${'a'.repeat(64)}.test`],
    ['an empty label', 'a..test'],
    ['a name over 255 bytes', Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')],
  ])('refuses %s with dns-malformed-message', (_, name) => {
    expect(() => encodeName(name)).toThrow(
      expect.objectContaining({ code: 'dns-malformed-message' }),
    );
  });
});

describe('decodeName', () => {
  it('follows a compression pointer and reports where the name ended', () => {
    // offset 0: "test" root; offset 6: "k1" + pointer to 0
    const msg = hex('04 74657374 00 02 6b31 c000 ff');
    expect(decodeName(msg, 0)).toEqual({ name: 'test', next: 6 });
    expect(decodeName(msg, 6)).toEqual({ name: 'k1.test', next: 11 });
  });

  it.each([
    ['a pointer loop', 'c000', 'loop'],
    ['a label past the end', '05 6162', 'past the end'],
    ['a missing root label', '02 6162', 'past the end'],
    ['a cut-off pointer', 'c0', 'cut off'],
    ['a reserved label type', '40', 'unknown label type'],
  ])('refuses %s', (_, bytes, words) => {
    expect(() => decodeName(hex(bytes), 0)).toThrow(words);
  });
});

describe('TXT rdata', () => {
  it.each([
    ['empty value', '', [0]],
    ['short value', 'abc', [3]],
    ['exactly 255 bytes', 'x'.repeat(255), [255]],
    ['256 bytes', 'x'.repeat(256), [255, 1]],
    ['600 bytes', 'y'.repeat(600), [255, 255, 90]],
    ['a 43-char DNS-01 digest', 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', [43]],
    ['multi-byte UTF-8 over a chunk edge', 'é'.repeat(200), [255, 145]],
  ])(
    'splits %s into character-strings of at most 255 bytes and joins them on read',
    (_, value, lengths) => {
      const rdata = encodeTxt(value);
      expect(chunkLengths(rdata)).toEqual(lengths);
      expect(decodeTxt(rdata)).toBe(value);
    },
  );

  it('joins character-strings written by someone else', () => {
    expect(decodeTxt(hex('02 6869 00 03 616263'))).toBe('hiabc');
  });

  it('refuses a character-string that runs past the rdata', () => {
    expect(() => decodeTxt(hex('05 6869'))).toThrow('cut off');
  });
});

const baseHeader: DnsHeader = {
  id: 0x1234,
  qr: false,
  opcode: Opcode.QUERY,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  rcode: 0,
};

describe('header flags', () => {
  it.each([
    ['plain query', {}, '0000'],
    ['RD', { rd: true }, '0100'],
    ['UPDATE opcode', { opcode: Opcode.UPDATE }, '2800'],
    ['response, AA, RA, REFUSED', { qr: true, aa: true, ra: true, rcode: 5 }, '8485'],
    ['TC and NOTAUTH', { qr: true, tc: true, rcode: 9 }, '8209'],
  ])('encodes and decodes %s', (_, flags, wire) => {
    const m: DnsMessage = {
      header: { ...baseHeader, ...flags },
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
    };
    const encoded = encodeMessage(m);
    expect(encoded.subarray(2, 4).toString('hex')).toBe(wire);
    expect(decodeMessage(encoded).header).toEqual(m.header);
  });
});

describe('whole messages', () => {
  it('writes an RFC 2136 UPDATE deleting one TXT value byte for byte', () => {
    const m: DnsMessage = {
      header: { ...baseHeader, opcode: Opcode.UPDATE },
      questions: [{ name: 'v.test', type: RRType.SOA, class: RRClass.IN }],
      answers: [],
      authorities: [
        { name: 'k.v.test', type: RRType.TXT, class: RRClass.NONE, ttl: 0, data: encodeTxt('A') },
      ],
      additionals: [],
    };
    const expected = hex(`1234 2800 0001 0000 0001 0000
      01 76 04 74657374 00 0006 0001
      01 6b 01 76 04 74657374 00 0010 00fe 00000000 0002 01 41`);
    expect(encodeMessage(m).toString('hex')).toBe(expected.toString('hex'));
    const back = decodeMessage(expected);
    expect(back.authorities[0]).toMatchObject({ name: 'k.v.test', class: RRClass.NONE, ttl: 0 });
    expect(back.questions).toEqual(m.questions);
  });

  it('reads a server answer whose records point back at the question name', () => {
    const reply = hex(`abcd 8180 0001 0002 0000 0000
      02 6b31 04 74657374 00 0010 0001
      c00c 0010 0001 0000003c 0004 03 6f6e65
      c00c 0010 0001 0000003c 0004 03 74776f`);
    const m = decodeMessage(reply);
    expect(m.answers.map((rr) => [rr.name, rr.ttl, decodeTxt(rr.data)])).toEqual([
      ['k1.test', 60, 'one'],
      ['k1.test', 60, 'two'],
    ]);
    expect(m.answers[1]?.offset).toBe(12 + 13 + 16);
  });

  it.each([
    ['shorter than a header', '1234 8180 0001'],
    ['with a question cut off', '1234 8180 0001 0000 0000 0000 01 61 00 00'],
    ['with rdata past the end', '1234 8180 0000 0001 0000 0000 00 0010 0001 00000000 0009 0161'],
  ])('refuses a message %s', (_, bytes) => {
    expect(() => decodeMessage(hex(bytes))).toThrow(
      expect.objectContaining({ code: 'dns-malformed-message' }),
    );
  });
});
