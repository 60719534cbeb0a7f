import { describe, expect, it } from 'vitest';
import { caaPermits, issuerDomain } from '../../../electron/core/dns/caa.ts';
import { describeFinding, type ChallengeRecordFinding } from '../../../electron/core/dns/check.ts';
import type { CaaProperty } from '../../../electron/core/dns/query.ts';

const p = (tag: string, value: string, flags = 0): CaaProperty => ({ flags, tag, value });
const CA = ['pebble.letsencrypt.org'];

describe('caaPermits (RFC 8659 §4)', () => {
  const table: [string, CaaProperty[], boolean, boolean][] = [
    ['issue naming the CA', [p('issue', 'pebble.letsencrypt.org')], false, true],
    ['issue naming another CA', [p('issue', 'letsencrypt.org')], false, false],
    ['issue ";" (nobody)', [p('issue', ';')], false, false],
    [
      'issuer with parameters',
      [p('issue', ' Pebble.LetsEncrypt.org. ; accounturi=x')],
      false,
      true,
    ],
    [
      'one of several issue properties',
      [p('issue', 'a.example'), p('issue', CA[0] as string)],
      false,
      true,
    ],
    ['only iodef: unrestricted', [p('iodef', 'mailto:x@example.com')], false, true],
    ['only issuewild, plain name: unrestricted', [p('issuewild', ';')], false, true],
    [
      'issuewild ";" governs the wildcard',
      [p('issue', CA[0] as string), p('issuewild', ';')],
      true,
      false,
    ],
    ['issue applies to a wildcard without issuewild', [p('issue', 'letsencrypt.org')], true, false],
    [
      'issuewild naming the CA allows the wildcard',
      [p('issue', ';'), p('issuewild', CA[0] as string)],
      true,
      true,
    ],
    [
      'unknown critical property forbids',
      [p('issue', CA[0] as string), p('future', 'x', 128)],
      false,
      false,
    ],
    [
      'unknown non-critical property is ignored',
      [p('issue', CA[0] as string), p('future', 'x')],
      false,
      true,
    ],
    ['tags compare case-insensitively', [p('ISSUE', 'letsencrypt.org')], false, false],
  ];
  for (const [name, props, wildcard, permitted] of table) {
    it(`${permitted ? 'permits' : 'forbids'}: ${name}${wildcard ? ' (wildcard)' : ''}`, () => {
      expect(caaPermits(props, wildcard, CA)).toBe(permitted);
    });
  }

  it('reads the issuer-domain-name before any parameters', () => {
    expect(issuerDomain('ca.example; validationmethods=dns-01')).toBe('ca.example');
    expect(issuerDomain(';')).toBe('');
  });
});

describe('describeFinding', () => {
  const expected = {
    name: '_acme-challenge.example.com',
    type: 'CNAME' as const,
    value: 'k1.validation.example',
  };
  const create = '_acme-challenge.example.com CNAME k1.validation.example. at your DNS provider';
  const cases: [ChallengeRecordFinding, string[]][] = [
    [
      { kind: 'missing', expected, server: '192.0.2.1:53', found: 'no record' },
      [`Create ${create}`, '192.0.2.1:53'],
    ],
    [
      {
        kind: 'wrong-target',
        expected,
        server: 's',
        found: 'CNAME to other.example.',
        target: 'other.example',
      },
      ['points to other.example.', create],
    ],
    [
      { kind: 'txt-at-name', expected, server: 's', values: ['abc'] },
      ['TXT "abc"', 'Delete the TXT record', create],
    ],
    [
      { kind: 'cname-loop', expected, server: 's', chain: ['a', 'b', 'a'] },
      ['a. → b. → a.', create],
    ],
    [{ kind: 'chain-too-long', expected, server: 's', chain: ['a', 'b'] }, ['more than 8', create]],
    [
      {
        kind: 'caa-forbids',
        expected,
        server: 's',
        at: 'example.com',
        records: ['0 issuewild ";"'],
        caIdentity: 'ca.example',
        identifier: '*.example.com',
      },
      ['*.example.com', 'example.com CAA 0 issuewild "ca.example"'],
    ],
    [
      {
        kind: 'dns-error',
        expected,
        server: 's',
        message: '192.0.2.1:53 answered SERVFAIL',
        retryable: true,
      },
      ['192.0.2.1:53 answered SERVFAIL', 'check again'],
    ],
  ];
  for (const [finding, parts] of cases) {
    it(`says what to do for ${finding.kind}`, () => {
      const sentence = describeFinding(finding);
      for (const part of parts) expect(sentence).toContain(part);
      expect(sentence).not.toContain('..');
    });
  }
});
