import { describe, expect, it } from 'vitest';
import {
  planChallengeRecords,
  randomLabel,
} from '../../../electron/core/templates/challenge-records.ts';

describe('planChallengeRecords()', () => {
  it('makes one record per base name; a wildcard never yields _acme-challenge.*', () => {
    const records = planChallengeRecords(
      ['example.com', '*.example.com', 'www.example.com'],
      'validation.test',
    );
    expect(records.map((r) => r.name)).toEqual([
      '_acme-challenge.example.com',
      '_acme-challenge.www.example.com',
    ]);
    for (const record of records) {
      expect(record.value).toMatch(/^[a-z2-7]{26}\.validation\.test$/);
      expect(record.ttl).toBeLessThanOrEqual(86_400);
    }
    expect(records[0]?.value).not.toBe(records[1]?.value);
  });

  it('keeps existing records so a CNAME the administrator created never moves', () => {
    const first = planChallengeRecords(['example.com'], 'validation.test');
    const again = planChallengeRecords(
      ['example.com', 'api.example.com'],
      'validation.test',
      first,
    );
    expect(again[0]).toEqual(first[0]);
    expect(again).toHaveLength(2);
  });
});

describe('randomLabel()', () => {
  it('encodes 16 bytes as 26 lower-case base32 characters', () => {
    expect(randomLabel(Buffer.alloc(16))).toBe('a'.repeat(26));
    expect(randomLabel(Buffer.alloc(16, 0xff))).toMatch(/^7{25}[a-z2-7]$/);
  });

  it('differs between calls', () => {
    const labels = new Set(Array.from({ length: 100 }, () => randomLabel()));
    expect(labels.size).toBe(100);
  });
});
