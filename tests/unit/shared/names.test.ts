import { describe, expect, it } from 'vitest';
import {
  challengeBases,
  challengeName,
  displayName,
  identifierCovers,
  parseDnsName,
  type NameRule,
} from '../../../shared/names.ts';

const label63 = 'a'.repeat(63);
const label64 = 'a'.repeat(64);
/** A name of exactly `octets` characters made of 63-character labels. */
function nameOfLength(octets: number): string {
  const labels: string[] = [];
  let remaining = octets - 4; // room for ".com"
  while (remaining > 0) {
    const size = Math.min(63, remaining - (labels.length ? 1 : 0));
    labels.push('b'.repeat(size));
    remaining -= size + (labels.length > 1 ? 1 : 0);
  }
  return `${labels.join('.')}.com`;
}

describe('parseDnsName() accepts', () => {
  it.each([
    ['example.com', 'example.com', 'example.com'],
    ['Example.COM', 'example.com', 'example.com'],
    ['www.example.com.', 'www.example.com', 'www.example.com'],
    ['*.example.com', '*.example.com', '*.example.com'],
    ['Bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['*.bücher.example', '*.xn--bcher-kva.example', '*.bücher.example'],
    ['faß.de', 'xn--fa-hia.de', 'faß.de'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['ex。ample.com', 'ex.ample.com', 'ex.ample.com'],
    [`${label63}.com`, `${label63}.com`, `${label63}.com`],
    ['a-b.c-d.example', 'a-b.c-d.example', 'a-b.c-d.example'],
  ])('%s as %s', (input, ascii, unicode) => {
    const result = parseDnsName(input);
    expect(result).toMatchObject({ ok: true, name: { ascii, unicode } });
  });

  it('accepts a 237-octet name, the longest that fits under _acme-challenge.', () => {
    const name = nameOfLength(237);
    expect(name).toHaveLength(237);
    expect(parseDnsName(name).ok).toBe(true);
  });

  it('reports the wildcard and the base name where the challenge record goes', () => {
    expect(parseDnsName('*.Example.com')).toMatchObject({
      ok: true,
      name: { wildcard: true, base: 'example.com' },
    });
  });
});

describe('parseDnsName() refuses, naming the rule', () => {
  it.each<[string, NameRule]>([
    ['', 'required'],
    ['   ', 'required'],
    ['127.0.0.1', 'ip-address'],
    ['::1', 'ip-address'],
    ['[2001:db8::1]', 'ip-address'],
    ['a.*.example.com', 'wildcard-position'],
    ['*a.example.com', 'wildcard-position'],
    ['*.*.example.com', 'wildcard-position'],
    ['zombo*com', 'wildcard-position'],
    ['www.zom_bo.com', 'characters'],
    ['exa mple.com', 'characters'],
    ['a\u202eb.com', 'characters'],
    ['xn--.net', 'characters'],
    ['xn--109-3veba6djs1bfxlfmx6c9g.xn--f1awi.xn--p1ai', 'characters'],
    ['..a', 'empty-label'],
    ['a..example.com', 'empty-label'],
    [`${label64}.com`, 'label-length'],
    ['-0b.net', 'hyphen'],
    ['a-.example.com', 'hyphen'],
    ['bq--abwhky3f6fxq.example.com', 'hyphen'],
    ['localhost', 'single-label'],
    ['com', 'single-label'],
    ['www.zombo.163', 'numeric-tld'],
  ])('%j: %s', (input, rule) => {
    const result = parseDnsName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rule).toBe(rule);
      expect(result.message.length).toBeGreaterThan(5);
    }
  });

  it('refuses a 238-octet name because _acme-challenge. would not fit', () => {
    const result = parseDnsName(nameOfLength(238));
    expect(result).toMatchObject({ ok: false, rule: 'too-long' });
    if (!result.ok) expect(result.message).toContain('_acme-challenge.');
  });

  it('refuses a 64-character label that appears only after punycode conversion', () => {
    const unicode = 'äxüxéxêxïxôxçxáxóxàxòxåxæxöxßxèxëxîxûxñxíxú.example'; // 43 characters, 65 as punycode
    expect(parseDnsName(unicode)).toMatchObject({ ok: false, rule: 'label-length' });
  });
});

describe('challenge names', () => {
  it('places _acme-challenge. at the base of a wildcard', () => {
    expect(challengeName('*.example.com')).toBe('_acme-challenge.example.com');
    expect(challengeName('www.example.com')).toBe('_acme-challenge.www.example.com');
  });

  it('shares one base between a wildcard and its apex, keeping order', () => {
    expect(
      challengeBases(['example.com', '*.example.com', 'www.example.com', '*.www.example.com']),
    ).toEqual(['example.com', 'www.example.com']);
  });

  it('shows A-labels in Unicode and leaves other text alone', () => {
    expect(displayName('*.xn--bcher-kva.example')).toBe('*.bücher.example');
    expect(displayName('example.com')).toBe('example.com');
  });
});

describe('identifierCovers()', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['a.example.com', 'b.example.com', false],
    ['*.example.com', '.example.com', false],
  ])('%s covers %s: %s', (identifier, host, covers) => {
    expect(identifierCovers(identifier, host)).toBe(covers);
  });
});
