/** The nonce cache: only nonces from successful POST answers are kept, each used once. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  forgetNonces,
  keepNonce,
  MAX_NONCE_AGE_MS,
  takeNonce,
} from '../../../electron/core/acme/nonces.ts';

const CA = 'https://ca.example';
afterEach(() => {
  forgetNonces();
  vi.useRealTimers();
});

describe('keepNonce() / takeNonce()', () => {
  it('keeps the nonce of a successful POST and hands it out once', () => {
    keepNonce({ url: `${CA}/acme/order/1`, method: 'post', status: 200, nonce: 'abc_DEF-123' });
    expect(takeNonce(CA)).toBe('abc_DEF-123');
    expect(takeNonce(CA)).toBeUndefined();
  });

  it.each([
    ['a GET answer', { method: 'GET', status: 200, nonce: 'n1' }],
    ['an error answer', { method: 'POST', status: 400, nonce: 'n2' }],
    ['a malformed nonce', { method: 'POST', status: 201, nonce: 'not a nonce!' }],
    ['no nonce', { method: 'POST', status: 201, nonce: undefined }],
  ])('ignores %s', (_label, answer) => {
    keepNonce({ url: `${CA}/acme/x`, ...answer });
    expect(takeNonce(CA)).toBeUndefined();
  });

  it('keeps nonces per CA origin and drops stale ones', () => {
    vi.useFakeTimers();
    keepNonce({ url: `${CA}/a`, method: 'POST', status: 201, nonce: 'old' });
    vi.advanceTimersByTime(MAX_NONCE_AGE_MS + 1);
    keepNonce({ url: 'https://other.example/a', method: 'POST', status: 201, nonce: 'other' });
    expect(takeNonce(CA)).toBeUndefined();
    expect(takeNonce('https://other.example')).toBe('other');
  });
});
