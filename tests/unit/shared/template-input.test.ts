import { describe, expect, it } from 'vitest';
import { normalizeTemplateInput, type TemplateInput } from '../../../shared/template-input.ts';

const base: TemplateInput = { commonName: 'example.com', altNames: [], keyType: 'ecdsa-p256' };

function issuesOf(input: Partial<TemplateInput>) {
  const result = normalizeTemplateInput({ ...base, ...input });
  return result.ok ? [] : result.issues;
}

describe('normalizeTemplateInput()', () => {
  it('normalizes names to A-labels, drops duplicates and the common name from alternative names', () => {
    const result = normalizeTemplateInput({
      ...base,
      commonName: 'Bücher.example.',
      altNames: [
        '*.bücher.example',
        'XN--BCHER-KVA.example',
        'www.bücher.example',
        'www.Bücher.example',
        '',
      ],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        commonName: 'xn--bcher-kva.example',
        altNames: ['*.xn--bcher-kva.example', 'www.xn--bcher-kva.example'],
        keyType: 'ecdsa-p256',
      },
    });
  });

  it('keeps Country, Locality and Organization trimmed when given', () => {
    const result = normalizeTemplateInput({
      ...base,
      country: 'DE',
      locality: ' Berlin ',
      organization: ' ACME GmbH',
    });
    expect(result).toMatchObject({
      ok: true,
      value: { country: 'DE', locality: 'Berlin', organization: 'ACME GmbH' },
    });
  });

  it('accepts a 64-character common name and refuses 65, explaining X.509', () => {
    const ok64 = `${'a'.repeat(60)}.com`;
    expect(issuesOf({ commonName: ok64 })).toEqual([]);
    const long = `${'a'.repeat(61)}.com`;
    const [issue] = issuesOf({ commonName: long });
    expect(issue?.field).toBe('commonName');
    expect(issue?.message).toMatch(/X\.509.*64.*Alternative Names/);
  });

  it.each([
    [{ commonName: '' }, 'commonName', /Common Name is required/],
    [{ commonName: '10.0.0.1' }, 'commonName', /IP address/],
    [
      { altNames: ['ok.example', 'a.*.example'] },
      'altNames.1',
      /Alternative Name "a\.\*\.example".*leftmost/,
    ],
    [{ country: 'USA' }, 'country', /ISO 3166/],
    [{ country: 'uk' }, 'country', /ISO 3166/],
    [{ country: 'ZZ' }, 'country', /ISO 3166/],
    [{ organization: 'o'.repeat(65) }, 'organization', /Organization Name.*64/],
    [{ locality: 'l'.repeat(129) }, 'locality', /Locality.*128/],
    [{ locality: 'bad\u0000value' }, 'locality', /control characters/],
    [{ keyType: 'rsa-1024' as never }, 'keyType', /Key type/],
    [{ keyType: 'ecdsa-p521' as never }, 'keyType', /Key type/],
  ])('refuses %j at %s', (input, field, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.field)).toContain(field);
    expect(issues.find((i) => i.field === field)?.message).toMatch(message);
  });

  it('refuses more than 100 names in one certificate', () => {
    const altNames = Array.from({ length: 100 }, (_, i) => `h${i}.example.com`);
    const issues = issuesOf({ altNames });
    expect(issues).toEqual([
      expect.objectContaining({ field: 'altNames', message: expect.stringMatching(/at most 100/) }),
    ]);
  });

  it('reports every problem at once, each at its field', () => {
    const issues = issuesOf({ commonName: '-x.com', altNames: ['a..b'], country: 'XX' });
    expect(issues.map((i) => i.field)).toEqual(['commonName', 'altNames.0', 'country']);
  });
});
