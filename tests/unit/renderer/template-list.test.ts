import { describe, expect, it } from 'vitest';
import {
  PendingChanges,
  applyChanges,
  oneChange,
  templateList,
  type TemplateChanges,
} from '../../../renderer/src/lib/template-list.ts';
import type { TemplateView } from '../../../shared/types.ts';

function view(
  id: string,
  minute: number,
  status: TemplateView['status'] = 'pending',
): TemplateView {
  return {
    id,
    commonName: `${id}.example.com`,
    altNames: [],
    keyType: 'ecdsa-p256',
    createdAt: new Date(Date.UTC(2026, 11, 3, 12, minute)).toISOString(),
    status,
    challengeRecords: [],
  };
}

const ids = (list: { items: readonly TemplateView[] }) => list.items.map((v) => v.id);

/** The index must point every id at its own position, and hold nothing else. */
function expectConsistent(list: ReturnType<typeof templateList>): void {
  expect(list.index.size).toBe(list.items.length);
  list.items.forEach((v, i) => expect(list.index.get(v.id)).toBe(i));
}

describe('template list', () => {
  it('sorts main’s answer newest first and indexes it', () => {
    const list = templateList([view('a', 1), view('c', 3), view('b', 2)]);
    expect(ids(list)).toEqual(['c', 'b', 'a']);
    expectConsistent(list);
  });

  it('replaces a changed view where it is, keeping the index and the input list', () => {
    const before = templateList([view('a', 1), view('b', 2), view('c', 3)]);
    const changed = view('b', 2, 'issued');
    const after = applyChanges(before, new Map([['b', changed]]));
    expect(ids(after)).toEqual(['c', 'b', 'a']);
    expect(after.items[1]).toBe(changed);
    expect(after.index).toBe(before.index);
    expect(before.items[1]?.status).toBe('pending');
    expect(after.items).not.toBe(before.items);
  });

  it('returns the same list when there is nothing to apply', () => {
    const before = templateList([view('a', 1)]);
    expect(applyChanges(before, new Map())).toBe(before);
  });

  it('merges new templates by creation time and drops deleted ones in one batch', () => {
    const before = templateList([view('a', 1), view('c', 3), view('e', 5)]);
    const after = applyChanges(
      before,
      new Map<string, TemplateView | null>([
        ['f', view('f', 6)],
        ['b', view('b', 2)],
        ['c', null],
        ['d', view('d', 4)],
      ]),
    );
    expect(ids(after)).toEqual(['f', 'e', 'd', 'b', 'a']);
    expectConsistent(after);
  });

  it('ignores the deletion of a template it never had', () => {
    const before = templateList([view('a', 1)]);
    const after = applyChanges(before, new Map([['zzz', null]]));
    expect(ids(after)).toEqual(['a']);
    expectConsistent(after);
  });

  it('moves a view whose creation time changed to its new place', () => {
    const before = templateList([view('a', 1), view('b', 2), view('c', 3)]);
    const after = applyChanges(before, new Map([['a', view('a', 9)]]));
    expect(ids(after)).toEqual(['a', 'c', 'b']);
    expectConsistent(after);
  });

  it('agrees with a full sort after many random batches', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let list = templateList([]);
    const truth = new Map<string, TemplateView>();
    for (let round = 0; round < 200; round += 1) {
      const changes = new Map<string, TemplateView | null>();
      for (let k = 0; k < 1 + random(8); k += 1) {
        const id = `t${random(40)}`;
        const existing = truth.get(id);
        if (existing && random(4) === 0) {
          changes.set(id, null);
          truth.delete(id);
        } else {
          const next = view(id, existing ? Number(existing.createdAt.slice(14, 16)) : random(60));
          next.status = random(2) === 0 ? 'issued' : 'pending';
          changes.set(id, next);
          truth.set(id, next);
        }
      }
      list = applyChanges(list, changes);
      expectConsistent(list);
      expect(new Set(ids(list))).toEqual(new Set(truth.keys()));
      const times = list.items.map((v) => v.createdAt);
      expect(times).toEqual([...times].sort().reverse());
      for (const v of list.items) expect(v).toBe(truth.get(v.id));
    }
  });
});

describe('pending changes', () => {
  it('keeps the newest change per template within a stage and empties on take', () => {
    const pending = new PendingChanges();
    const first = { ...view('a', 1), nextCheckAt: '2026-12-03T12:30:00.000Z' };
    const second = { ...view('a', 1), nextCheckAt: '2026-12-03T12:31:00.000Z' };
    expect(pending.add('a', first)).toBe(true);
    expect(pending.add('a', second)).toBe(true);
    expect(pending.add('b', view('b', 2))).toBe(true);
    expect(pending.batches).toBe(1);
    expect(pending.take()).toEqual(
      new Map([
        ['a', second],
        ['b', view('b', 2)],
      ]),
    );
    expect(pending.batches).toBe(0);
    expect(pending.take()).toEqual(new Map());
  });

  it('gives every change of step or status a batch of its own, in order', () => {
    const pending = new PendingChanges();
    const at = (step: TemplateView['step']) => ({ ...view('a', 1), step });
    pending.add('a', at('publishing-txt'));
    pending.add('b', view('b', 2));
    pending.add('a', at('confirming-txt'));
    pending.add('a', { ...at('confirming-txt'), nextCheckAt: '2026-12-03T12:31:00.000Z' });
    pending.add('a', at('ca-validating'));
    pending.add('b', { ...view('b', 2), nextCheckAt: '2026-12-03T12:32:00.000Z' });
    const issued = view('a', 1, 'issued');
    pending.add('a', issued);
    expect(pending.batches).toBe(4);
    const batches: TemplateChanges[] = [];
    while (pending.batches > 0) batches.push(pending.take());
    const steps = batches.map((batch) => [...batch].map(([id, v]) => [id, v?.step ?? v?.status]));
    expect(steps).toEqual([
      [
        ['a', 'publishing-txt'],
        ['b', 'pending'],
      ],
      [['a', 'confirming-txt']],
      [['a', 'ca-validating']],
      [['a', 'issued']],
    ]);
    // Within a stage the newest still wins, and noise never waits behind another row's steps.
    expect(batches[1]?.get('a')?.nextCheckAt).toBe('2026-12-03T12:31:00.000Z');
    expect(batches[0]?.get('b')?.nextCheckAt).toBe('2026-12-03T12:32:00.000Z');
  });

  it('hands everything over at once, newest per template, when asked to', () => {
    const pending = new PendingChanges();
    pending.add('a', { ...view('a', 1), step: 'publishing-txt' });
    pending.add('a', { ...view('a', 1), step: 'finalizing' });
    pending.add('b', view('b', 2));
    pending.add('b', null);
    const all = pending.takeAll();
    expect([...all]).toEqual([
      ['a', { ...view('a', 1), step: 'finalizing' }],
      ['b', null],
    ]);
    expect(pending.batches).toBe(0);
  });

  it('lets a deletion replace a queued change without waiting a frame', () => {
    const pending = new PendingChanges();
    pending.add('a', { ...view('a', 1), step: 'publishing-txt' });
    pending.add('a', null);
    expect(pending.batches).toBe(1);
    expect(pending.take()).toEqual(new Map([['a', null]]));
  });

  it('never lets a stale view bring a deleted template back', () => {
    const pending = new PendingChanges();
    pending.add('a', null);
    expect(pending.add('a', view('a', 1))).toBe(false);
    expect(pending.take()).toEqual(new Map([['a', null]]));
    pending.deleted('b');
    pending.clear();
    expect(pending.add('b', view('b', 2))).toBe(false);
    const page = pending.upserts([view('a', 1), view('b', 2), view('c', 3)]);
    expect([...page.keys()]).toEqual(['c']);
  });

  it('applies one change through the same path as a batch', () => {
    const list = templateList([view('a', 1)]);
    expect(ids(applyChanges(list, oneChange('b', view('b', 2))))).toEqual(['b', 'a']);
    expect(ids(applyChanges(list, oneChange('a', null)))).toEqual([]);
  });
});
