import { describe, expect, it } from 'vitest';
import {
  coverageMessage,
  normalizeHosts,
  uncoveredHosts,
} from '../../../electron/core/sites/coverage.ts';
import { isCertdeskError } from '../../../electron/core/errors.ts';

describe('uncoveredHosts', () => {
  const cases: { names: string[]; hosts: string[]; uncovered: string[]; why: string }[] = [
    { names: ['example.com'], hosts: ['example.com'], uncovered: [], why: 'exact name' },
    { names: ['*.example.com'], hosts: ['a.example.com'], uncovered: [], why: 'one label' },
    {
      names: ['*.example.com'],
      hosts: ['example.com'],
      uncovered: ['example.com'],
      why: 'a wildcard does not cover its base',
    },
    {
      names: ['*.example.com'],
      hosts: ['a.b.example.com'],
      uncovered: ['a.b.example.com'],
      why: 'a wildcard covers one label only',
    },
    {
      names: ['*.example.com', 'example.com'],
      hosts: ['example.com', 'www.example.com', 'shop.example.com'],
      uncovered: [],
      why: 'wildcard plus base',
    },
    {
      names: ['*.example.com'],
      hosts: ['a.example.org', 'www.example.com'],
      uncovered: ['a.example.org'],
      why: 'another domain',
    },
    {
      names: ['*.b.example.com'],
      hosts: ['a.b.example.com', 'b.example.com', 'x.a.b.example.com'],
      uncovered: ['b.example.com', 'x.a.b.example.com'],
      why: 'deeper wildcard, in input order',
    },
    {
      names: ['WWW.Example.COM.'],
      hosts: ['www.EXAMPLE.com'],
      uncovered: [],
      why: 'letter case and trailing dot on either side',
    },
    {
      names: ['xn--bcher-kva.example'],
      hosts: ['Bücher.example'],
      uncovered: [],
      why: 'Unicode host against A-label name',
    },
    {
      names: ['*.bücher.example'],
      hosts: ['shop.xn--bcher-kva.example'],
      uncovered: [],
      why: 'Unicode wildcard against A-label host',
    },
    {
      names: ['*.example.com'],
      hosts: ['straße.example.com'],
      uncovered: [],
      why: 'IDN label under a wildcard (non-transitional: xn--strae-oqa)',
    },
    {
      names: ['example.com'],
      hosts: ['www.example.com', 'www.example.com', 'WWW.example.com'],
      uncovered: ['www.example.com'],
      why: 'duplicates reported once',
    },
    { names: [], hosts: ['example.com'], uncovered: ['example.com'], why: 'no names at all' },
    { names: ['example.com'], hosts: [], uncovered: [], why: 'a site without hosts' },
    {
      names: ['192.0.2.1', 'example.com'],
      hosts: ['example.com'],
      uncovered: [],
      why: 'certificate names the rules refuse are ignored',
    },
  ];

  it.each(cases)('$why: $names vs $hosts', ({ names, hosts, uncovered }) => {
    expect(uncoveredHosts(names, hosts)).toEqual(uncovered);
  });

  it('returns A-labels for uncovered IDN hosts', () => {
    expect(uncoveredHosts(['example.com'], ['bücher.example'])).toEqual(['xn--bcher-kva.example']);
  });
});

describe('normalizeHosts', () => {
  const refused: { host: string; says: RegExp }[] = [
    { host: '', says: /is required/ },
    { host: '192.0.2.1', says: /IP address/ },
    { host: '*.example.com', says: /wildcard/ },
    { host: 'a..example.com', says: /empty label/ },
    { host: 'localhost', says: /at least two labels/ },
    { host: 'exa mple.com', says: /characters/ },
  ];

  it.each(refused)('refuses "$host" as a host and names it', ({ host, says }) => {
    let caught: unknown;
    try {
      normalizeHosts(['www.example.com', host]);
    } catch (error) {
      caught = error;
    }
    expect(isCertdeskError(caught)).toBe(true);
    if (!isCertdeskError(caught)) return;
    expect(caught.code).toBe('invalid-input');
    expect(caught.message).toContain(`"${host}"`);
    expect(caught.message).toMatch(says);
    expect(caught.issues).toEqual([{ field: 'hosts.1', message: expect.stringMatching(says) }]);
  });

  it('reports every bad host, one issue each', () => {
    expect(() => normalizeHosts(['1.2.3.4', 'ok.example.com', '*.x.example'])).toThrowError(
      /\(and 1 more\)/,
    );
  });

  it('makes uncoveredHosts refuse a bad host instead of calling it uncovered', () => {
    expect(() => uncoveredHosts(['example.com'], ['192.0.2.1'])).toThrowError(/IP address/);
  });
});

describe('coverageMessage', () => {
  it('says every host is covered when none is left out', () => {
    expect(coverageMessage([])).toBe('The certificate covers every host of the site.');
  });

  it('names a single uncovered host and explains the wildcard rule', () => {
    const message = coverageMessage(['a.b.example.com']);
    expect(message).toContain('does not cover a.b.example.com;');
    expect(message).toContain('add this host');
    expect(message).toContain('covers one label only');
  });

  it('names each uncovered host, IDN hosts in Unicode with their A-label', () => {
    const message = coverageMessage(['example.com', 'xn--bcher-kva.example', 'x.example.org']);
    expect(message).toContain(
      'does not cover example.com, bücher.example (xn--bcher-kva.example) or x.example.org;',
    );
    expect(message).toContain('add these hosts');
  });
});
