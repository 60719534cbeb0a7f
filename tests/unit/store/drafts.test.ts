/**
 * Copy-on-write drafts and the cached serializer that keep a 10,000-template store cheap to
 * update: checked against plain cloning and JSON.stringify on random changes.
 */
import { describe, expect, it } from 'vitest';
import { produce } from '../../../electron/core/store/drafts.ts';
import { stringifyDocument } from '../../../electron/core/store/serialize.ts';

interface Doc {
  version: number;
  templates: { id: string; names: string[]; status: string; extra?: { n: number } }[];
  accounts: { url: string }[];
}

function makeDoc(n: number): Doc {
  return {
    version: 3,
    templates: Array.from({ length: n }, (_, i) => ({
      id: `t${i}`,
      names: [`h${i}.example.com`],
      status: 'pending',
    })),
    accounts: [{ url: 'https://ca.example/acct/1' }],
  };
}

/** A tiny deterministic random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('produce()', () => {
  it('leaves the original untouched and shares every object it did not change', async () => {
    const base = makeDoc(100);
    const before = JSON.stringify(base);
    const next = await produce(base, (draft) => {
      const first = draft.templates[0];
      if (first) first.status = 'issued';
    });
    expect(JSON.stringify(base)).toBe(before);
    expect(next.templates[0]?.status).toBe('issued');
    expect(next.templates[1]).toBe(base.templates[1]);
    expect(next.accounts).toBe(base.accounts);
    expect(next.templates[0]).not.toBe(base.templates[0]);
  });

  it('gives the same result as mutating a clone, over a thousand random changes', async () => {
    const next = random(7);
    let doc = makeDoc(20);
    for (let round = 0; round < 1000; round += 1) {
      const pick = Math.floor(next() * 6);
      const index = Math.floor(next() * 20);
      const change = (d: Doc) => {
        const t = d.templates[index % Math.max(1, d.templates.length)];
        if (pick === 0 && t) t.status = `s${round}`;
        else if (pick === 1 && t) t.names.push(`n${round}.example.com`);
        else if (pick === 2) d.templates.push({ id: `x${round}`, names: [], status: 'pending' });
        else if (pick === 3 && d.templates.length > 5)
          d.templates.splice(index % d.templates.length, 1);
        else if (pick === 4 && t) t.extra = { n: round };
        else if (pick === 5 && t) delete t.extra;
      };
      const expected = structuredClone(doc);
      change(expected);
      const before = JSON.stringify(doc);
      const produced = await produce(doc, change);
      expect(JSON.stringify(doc)).toBe(before);
      expect(produced).toEqual(expected);
      doc = produced;
    }
  });

  it('changes nothing when the mutator throws', async () => {
    const base = makeDoc(3);
    const before = JSON.stringify(base);
    await expect(
      produce(base, (draft) => {
        draft.templates.pop();
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(JSON.stringify(base)).toBe(before);
  });
});

describe('stringifyDocument()', () => {
  it('writes exactly what JSON.stringify writes, before and after changes', async () => {
    let doc = makeDoc(50);
    expect(stringifyDocument(doc)).toBe(JSON.stringify(doc));
    doc = await produce(doc, (draft) => {
      const t = draft.templates[10];
      if (t) t.names.push('added.example.com');
      draft.templates.push({
        id: 'new',
        names: ['ü.example.com'],
        status: 'failed',
        extra: { n: 1 },
      });
    });
    expect(stringifyDocument(doc)).toBe(JSON.stringify(doc));
    expect(stringifyDocument(doc)).toBe(JSON.stringify(doc));
  });
});
