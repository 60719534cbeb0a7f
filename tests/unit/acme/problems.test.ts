/**
 * classifyAcmeError over captured ACME answers: one row per line of RELIABILITY.md's RFC 8555
 * error table (type, HTTP status, Retry-After) → code, retryable, newOrderNeeded, wait. The
 * answers go through problemFromAnswer, the same parser the transport uses on live answers.
 */
import { describe, expect, it } from 'vitest';
import {
  AcmeCallError,
  AcmeError,
  classifyAcmeError,
  problemFromAnswer,
  type AcmeErrorCode,
} from '../../../electron/core/acme/problems.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const ERR = 'urn:ietf:params:acme:error:';

function answered(status: number, body: unknown, headers: Record<string, unknown> = {}) {
  const problem = problemFromAnswer({ status, headers, data: body }, NOW);
  return new AcmeCallError('acme-client flattened this', problem ? { problem } : {});
}

function classify(error: unknown, extra: { name?: string; accountRequest?: boolean } = {}) {
  return classifyAcmeError(error, { step: 'creating-order', now: NOW, ...extra });
}

interface Row {
  type: string;
  status: number;
  retryAfter?: string;
  code: AcmeErrorCode;
  retryable: boolean;
  newOrderNeeded: boolean;
  retryAfterMs?: number;
  accountRequest?: boolean;
}

const rows: Row[] = [
  { type: 'badNonce', status: 400, code: 'ca-bad-nonce', retryable: true, newOrderNeeded: false },
  {
    type: 'rateLimited',
    status: 429,
    retryAfter: '3600',
    code: 'ca-rate-limited',
    retryable: true,
    newOrderNeeded: false,
    retryAfterMs: 3_600_000,
  },
  {
    type: 'rateLimited',
    status: 429,
    retryAfter: 'Thu, 03 Dec 2026 14:00:00 GMT',
    code: 'ca-rate-limited',
    retryable: true,
    newOrderNeeded: false,
    retryAfterMs: 2 * 3_600_000,
  },
  {
    type: 'serverInternal',
    status: 500,
    code: 'ca-unavailable',
    retryable: true,
    newOrderNeeded: false,
  },
  {
    type: 'serverInternal',
    status: 503,
    retryAfter: '120',
    code: 'ca-unavailable',
    retryable: true,
    newOrderNeeded: false,
    retryAfterMs: 120_000,
  },
  {
    type: 'orderNotReady',
    status: 403,
    code: 'ca-order-not-ready',
    retryable: true,
    newOrderNeeded: false,
  },
  ...['dns', 'connection', 'tls', 'incorrectResponse', 'unauthorized'].map((type): Row => ({
    type,
    status: 403,
    code: 'ca-validation-failed',
    retryable: true,
    newOrderNeeded: true,
  })),
  ...['caa', 'rejectedIdentifier', 'unsupportedIdentifier'].map((type): Row => ({
    type,
    status: 400,
    code: 'ca-rejected-identifier',
    retryable: false,
    newOrderNeeded: true,
  })),
  ...['badCSR', 'badPublicKey', 'badSignatureAlgorithm', 'malformed', 'invalidProfile'].map(
    (type): Row => ({
      type,
      status: 400,
      code: 'ca-bad-request',
      retryable: false,
      newOrderNeeded: true,
    }),
  ),
  ...['alreadyRevoked', 'badRevocationReason'].map((type): Row => ({
    type,
    status: 400,
    code: 'ca-bad-request',
    retryable: false,
    newOrderNeeded: true,
  })),
  ...[
    'accountDoesNotExist',
    'externalAccountRequired',
    'invalidContact',
    'unsupportedContact',
    'userActionRequired',
  ].map((type): Row => ({
    type,
    status: 400,
    code: 'ca-account',
    retryable: false,
    newOrderNeeded: true,
  })),
  {
    type: 'unauthorized',
    status: 403,
    accountRequest: true,
    code: 'ca-account',
    retryable: false,
    newOrderNeeded: true,
  },
  {
    type: 'alreadyReplaced',
    status: 409,
    code: 'ca-already-replaced',
    retryable: true,
    newOrderNeeded: true,
  },
];

describe('classifyAcmeError over the RFC 8555 error table', () => {
  it.each(rows)(
    '$type (HTTP $status, Retry-After $retryAfter, account request $accountRequest) → $code',
    (row) => {
      const body = {
        type: `${ERR}${row.type}`,
        detail: `detail of ${row.type}`,
        status: row.status,
      };
      const headers = row.retryAfter ? { 'retry-after': row.retryAfter } : {};
      const result = classify(answered(row.status, body, headers), {
        name: 'www.example.test',
        accountRequest: row.accountRequest ?? false,
      });
      const error = result.error as AcmeError;
      expect(error).toBeInstanceOf(AcmeError);
      expect(error).toBeInstanceOf(CertdeskError);
      expect(error.code).toBe(row.code);
      expect(error.retryable).toBe(row.retryable);
      expect(result.newOrderNeeded).toBe(row.newOrderNeeded);
      expect(result.retryAfterMs).toBe(row.retryAfterMs);
      expect(error.problemType).toBe(row.type);
      expect(error.httpStatus).toBe(row.status);
      expect(error.identifier).toBe('www.example.test');
      expect(error.step).toBe('creating-order');
      expect(error.message).toContain('Creating order for www.example.test failed');
      if (row.code !== 'ca-rejected-identifier') expect(error.message).toContain(row.type);
      expect(error.message).toContain(`detail of ${row.type}`);
    },
  );

  it('keeps the reset time of a rate limit', () => {
    const { error } = classify(
      answered(429, { type: `${ERR}rateLimited`, detail: 'x' }, { 'retry-after': '600' }),
    );
    expect((error as AcmeError).retryAt?.toISOString()).toBe('2026-12-03T12:10:00.000Z');
  });

  it("reads Let's Encrypt's reset time from the detail when Retry-After is missing", () => {
    const detail =
      'too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-12-04 12:00:00 UTC: see https://letsencrypt.org/docs/rate-limits/';
    const result = classify(answered(429, { type: `${ERR}rateLimited`, detail }));
    expect(result.error.code).toBe('ca-rate-limited');
    expect(result.retryAfterMs).toBe(24 * 3_600_000);
  });

  it('classifies an error answer without a problem document by its HTTP status', () => {
    const html = '<html><body>Bad Gateway</body></html>';
    const result = classify(answered(502, html, { 'retry-after': '30' }));
    expect(result.error.code).toBe('ca-unavailable');
    expect(result.retryAfterMs).toBe(30_000);
    expect(classify(answered(429, '')).error.code).toBe('ca-rate-limited');
  });
});

describe("Let's Encrypt's paused-hostname answer", () => {
  const url = 'https://portal.letsencrypt.org/sfe/v1/unpause?jwt=eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl';
  const detail = `Your account is temporarily prevented from requesting certificates for shop.example.com and possibly others. Please visit: ${url}`;

  it.each([
    ['rateLimited', 429],
    ['unauthorized', 403],
  ])('is recognized as ca-paused in a %s problem, with the unpause URL', (type, status) => {
    const result = classify(answered(status, { type: `${ERR}${type}`, detail }));
    expect(result.error.code).toBe('ca-paused');
    expect(result.error.retryable).toBe(false);
    expect(result.retryAfterMs).toBeUndefined();
    expect(result.error.message).toMatch(
      new RegExp(
        `^Let's Encrypt paused issuance for shop\\.example\\.com after repeated failures; unpause it at ${url.replace(/[.?]/g, '\\$&')}`,
      ),
    );
    expect(result.error.message).toContain(type);
  });
});

describe('problems naming several identifiers', () => {
  it('names each identifier of a compound problem with its own detail', () => {
    const body = {
      type: `${ERR}compound`,
      detail: 'Error creating new order :: Cannot issue for 2 identifiers',
      subproblems: [
        {
          type: `${ERR}rejectedIdentifier`,
          detail: 'Domain name is on the blocklist',
          identifier: { type: 'dns', value: 'blocked.example.com' },
        },
        {
          type: `${ERR}caa`,
          detail: 'CAA record for example.org prevents issuance',
          identifier: { type: 'dns', value: 'www.example.org' },
        },
      ],
    };
    const result = classify(answered(400, body));
    const error = result.error as AcmeError;
    expect(error.code).toBe('ca-rejected-identifier');
    expect(error.retryable).toBe(false);
    expect(error.identifier).toBe('blocked.example.com');
    expect(error.message).toContain(
      'blocked.example.com (rejectedIdentifier: "Domain name is on the blocklist")',
    );
    expect(error.message).toContain(
      'www.example.org (caa: "CAA record for example.org prevents issuance")',
    );
    expect(error.problem?.subproblems).toHaveLength(2);
  });

  it('treats a compound of validation failures as ca-validation-failed', () => {
    const sub = (value: string) => ({
      type: `${ERR}dns`,
      detail: `No TXT records found for _acme-challenge.${value}`,
      identifier: { type: 'dns', value },
    });
    const body = {
      type: `${ERR}compound`,
      subproblems: [sub('a.example.com'), sub('b.example.com')],
    };
    const result = classify(answered(403, body));
    expect(result.error.code).toBe('ca-validation-failed');
    expect(result.newOrderNeeded).toBe(true);
  });

  it('treats malformed with per-identifier subproblems as a refusal of those names', () => {
    const body = {
      type: `${ERR}malformed`,
      detail: 'Invalid identifiers requested',
      subproblems: [
        {
          type: `${ERR}malformed`,
          detail: 'Domain name contains an invalid character',
          identifier: { type: 'dns', value: 'a_b.example.com' },
        },
      ],
    };
    const error = classify(answered(400, body)).error;
    expect(error.code).toBe('ca-rejected-identifier');
    expect(error.identifier).toBe('a_b.example.com');
  });

  it('picks the name the detail mentions when the CA sends no subproblems', () => {
    const body = {
      type: `${ERR}rejectedIdentifier`,
      detail:
        'Order included an identifier for which issuance is forbidden by policy: "blocked.example.test"',
    };
    const error = classifyAcmeError(answered(400, body), {
      step: 'creating-order',
      names: ['example.test', 'blocked.example.test'],
    }).error;
    expect(error.identifier).toBe('blocked.example.test');
  });
});

describe('account problems point the administrator somewhere', () => {
  it('shows the instance URL of userActionRequired and the terms-of-service link', () => {
    const body = {
      type: `${ERR}userActionRequired`,
      detail: 'Terms of service have changed',
      instance: 'https://ca.example/agree-to-new-terms',
    };
    const withInstance = classify(answered(403, body)).error;
    expect(withInstance.message).toContain('https://ca.example/agree-to-new-terms');
    const tos = {
      link: '<https://ca.example/dir>;rel="index", <https://ca.example/tos.pdf>;rel="terms-of-service"',
    };
    const linked = classify(
      answered(403, { type: `${ERR}userActionRequired`, detail: 'x' }, tos),
    ).error;
    expect(linked.message).toContain('https://ca.example/tos.pdf');
  });
});

describe('failures without a problem document', () => {
  it('reports a refused connection as ca-unavailable, retryable', () => {
    const network = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:14000' };
    const result = classify(new AcmeCallError('x', { network }));
    expect(result.error.code).toBe('ca-unavailable');
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toContain('ECONNREFUSED');
  });

  it('reports an untrusted CA certificate as ca-tls-untrusted, not retryable', () => {
    const network = {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      message: 'unable to verify the first certificate',
    };
    const result = classify(new AcmeCallError('x', { network }));
    expect(result.error.code).toBe('ca-tls-untrusted');
    expect(result.error.retryable).toBe(false);
  });

  it('reads a raw axios network error too', () => {
    const raw = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classify(raw).error.code).toBe('ca-unavailable');
  });

  it('calls anything else ca-unexpected and keeps its text', () => {
    const result = classify(
      new TypeError("Cannot read properties of undefined (reading 'status')"),
    );
    expect(result.error.code).toBe('ca-unexpected');
    expect(result.error.message).toContain("reading 'status'");
  });

  it('returns a CertdeskError unchanged', () => {
    const own = new CertdeskError({ code: 'keychain-locked', message: 'locked' });
    expect(classify(own).error).toBe(own);
  });
});

describe('Retry-After values that mean nothing', () => {
  it('ignores garbage and negative values in an answer', () => {
    for (const header of ['tomorrow', '-30', '12abc']) {
      const result = classify(
        answered(503, { type: `${ERR}serverInternal` }, { 'retry-after': header }),
      );
      expect(result.retryAfterMs).toBeUndefined();
    }
  });
});
