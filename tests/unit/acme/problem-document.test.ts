/**
 * Reading what the CA sent: Retry-After in both of its forms, problem documents with
 * subproblems, and Link headers, as the transport does with every error answer.
 */
import { describe, expect, it } from 'vitest';
import {
  linkWithRel,
  parseRetryAfter,
  problemFromAnswer,
  problemFromDocument,
} from '../../../electron/core/acme/problem-document.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const ERR = 'urn:ietf:params:acme:error:';

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 7 ', 7_000],
    ['Thu, 03 Dec 2026 12:01:00 GMT', 60_000],
    ['Thursday, 03-Dec-26 12:01:00 GMT', 60_000],
    ['0', undefined],
    ['-5', undefined],
    ['soon', undefined],
    ['1.5', undefined],
    ['Thu, 03 Dec 2026 11:00:00 GMT', undefined],
    ['', undefined],
    [undefined, undefined],
    [['30', '60'], 30_000],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('problemFromDocument', () => {
  it('keeps type, detail, status, instance and each subproblem with its identifier', () => {
    const problem = problemFromDocument({
      type: `${ERR}compound`,
      detail: 'two names refused',
      status: 400,
      instance: 'https://ca.example/why',
      subproblems: [
        {
          type: `${ERR}caa`,
          detail: 'CAA forbids',
          identifier: { type: 'dns', value: 'a.example' },
        },
        { type: `${ERR}dns`, detail: 'no TXT' },
        'not a subproblem',
      ],
    });
    expect(problem).toEqual({
      type: `${ERR}compound`,
      detail: 'two names refused',
      status: 400,
      instance: 'https://ca.example/why',
      subproblems: [
        {
          type: `${ERR}caa`,
          detail: 'CAA forbids',
          identifier: { type: 'dns', value: 'a.example' },
        },
        { type: `${ERR}dns`, detail: 'no TXT' },
      ],
    });
  });

  it('returns undefined for something that is not a problem document', () => {
    expect(problemFromDocument(undefined)).toBeUndefined();
    expect(problemFromDocument('Bad Gateway')).toBeUndefined();
    expect(problemFromDocument({ detail: 'no type' })).toBeUndefined();
  });
});

describe('problemFromAnswer', () => {
  it('ignores answers below 400', () => {
    expect(
      problemFromAnswer({ status: 201, headers: {}, data: { status: 'pending' } }, NOW),
    ).toBeUndefined();
  });

  it('lets the HTTP status win over the document and adds Retry-After and the terms link', () => {
    const problem = problemFromAnswer(
      {
        status: 429,
        headers: { 'retry-after': '60', link: '<https://ca.example/tos>;rel="terms-of-service"' },
        data: { type: `${ERR}rateLimited`, detail: 'slow down', status: 400 },
      },
      NOW,
    );
    expect(problem?.status).toBe(429);
    expect(problem?.retryAfterMs).toBe(60_000);
    expect(problem?.termsOfServiceUrl).toBe('https://ca.example/tos');
  });
});

describe('linkWithRel', () => {
  it('finds the link with the relation among several, in one header or many', () => {
    const header = '<https://ca.example/dir>;rel="index", <https://ca.example/up>; rel=up';
    expect(linkWithRel(header, 'up')).toBe('https://ca.example/up');
    expect(linkWithRel(['<https://x/a>;rel="index"', '<https://x/b>;rel="up"'], 'up')).toBe(
      'https://x/b',
    );
    expect(linkWithRel(header, 'terms-of-service')).toBeUndefined();
    expect(linkWithRel(undefined, 'up')).toBeUndefined();
  });
});
