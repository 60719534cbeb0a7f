import { describe, expect, it } from 'vitest';
import {
  networkFailure,
  Rcode,
  rcodeFailure,
  tsigFailure,
  type DnsCallContext,
} from '../../../electron/core/dns/failures.ts';
import type { CertdeskError } from '../../../electron/core/errors.ts';

const ctx: DnsCallContext = {
  server: '192.0.2.53:5353',
  zone: 'validation.test',
  keyName: 'certdesk-validation',
  fqdn: 'k1.validation.test',
  step: 'publishTxt',
};

const cases: Array<[string, () => CertdeskError, string, boolean, RegExp]> = [
  [
    'BADSIG',
    () => tsigFailure(ctx, { status: 'server-error', error: 16, signed: false }, 9),
    'dns-tsig-badsig',
    false,
    /BADSIG.*secret/,
  ],
  [
    'BADKEY',
    () => tsigFailure(ctx, { status: 'server-error', error: 17, signed: false }, 9),
    'dns-tsig-badkey',
    false,
    /BADKEY.*key name and algorithm/,
  ],
  [
    'BADTIME from the server',
    () => tsigFailure(ctx, { status: 'server-error', error: 18, signed: true }, 9),
    'dns-tsig-badtime',
    true,
    /check the system clock/,
  ],
  [
    'a reply signed too far from our clock',
    () => tsigFailure(ctx, { status: 'bad-time', skewSeconds: 900 }, 0),
    'dns-tsig-badtime',
    true,
    /check the system clock/,
  ],
  [
    'an unsigned reply',
    () => tsigFailure(ctx, { status: 'unsigned' }, 0),
    'dns-reply-unsigned',
    false,
    /was not signed/,
  ],
  [
    'a reply with a bad MAC',
    () => tsigFailure(ctx, { status: 'bad-mac' }, 0),
    'dns-reply-unsigned',
    false,
    /does not verify/,
  ],
  ['FORMERR', () => rcodeFailure(ctx, Rcode.FORMERR), 'dns-formerr', false, /FORMERR/],
  ['SERVFAIL', () => rcodeFailure(ctx, Rcode.SERVFAIL), 'dns-servfail', true, /SERVFAIL/],
  [
    'NOTAUTH',
    () => rcodeFailure(ctx, Rcode.NOTAUTH),
    'dns-notauth',
    false,
    /not authoritative for zone "validation.test"/,
  ],
  ['NOTZONE', () => rcodeFailure(ctx, Rcode.NOTZONE), 'dns-notzone', false, /not inside zone/],
  ['REFUSED', () => rcodeFailure(ctx, Rcode.REFUSED), 'dns-refused', false, /update-policy/],
  ['an unknown RCODE', () => rcodeFailure(ctx, 4), 'dns-rcode', false, /RCODE 4/],
  [
    'a timeout',
    () => networkFailure(ctx, new Error('timeout'), true),
    'dns-timeout',
    true,
    /did not answer in time/,
  ],
  [
    'a refused connection',
    () => networkFailure(ctx, Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), false),
    'dns-unreachable',
    true,
    /ECONNREFUSED/,
  ],
];

describe('DNS failure wording', () => {
  it.each(cases)('words %s as %s for an administrator', (_, make, code, retryable, words) => {
    const e = make();
    expect(e).toMatchObject({
      code,
      retryable,
      step: 'publishTxt',
      identifier: 'k1.validation.test',
    });
    expect(e.message).toMatch(words);
    expect(e.message).toContain('DNS server 192.0.2.53:5353');
  });

  it('gives every server verdict its own code', () => {
    const verdicts = cases.filter(([label]) => !/too far|bad MAC/.test(label));
    const codes = verdicts.map(([, make]) => make().code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
