import { describe, expect, it } from 'vitest';
import { createLimit } from '../../../electron/core/lifecycle/limit.ts';

/** A task that runs until `finish()` is called, recording how many tasks ran with it. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createLimit', () => {
  it('runs at most `size` tasks at once and the rest in arrival order', async () => {
    const limit = createLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const all = gates.map((g, i) =>
      limit(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await g.done;
        running -= 1;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]?.finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.finish();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('hands a freed slot to the waiter, never also to a task arriving at that moment', async () => {
    // A task may arrive in any microtask around the moment the slot frees; try each position.
    const nested = (depth: number, then: () => void) =>
      depth === 0 ? then() : queueMicrotask(() => nested(depth - 1, then));
    for (let depth = 0; depth < 8; depth += 1) {
      const limit = createLimit(1);
      let running = 0;
      let most = 0;
      const task = (g: ReturnType<typeof gate>) => async () => {
        running += 1;
        most = Math.max(most, running);
        await g.done;
        running -= 1;
      };
      const gates = [gate(), gate(), gate()];
      const [first, second, third] = gates as [
        (typeof gates)[0],
        (typeof gates)[0],
        (typeof gates)[0],
      ];
      const runs = [limit(task(first)), limit(task(second))];
      await tick();
      first.finish();
      nested(depth, () => runs.push(limit(task(third))));
      await tick();
      second.finish();
      third.finish();
      await Promise.all(runs);
      expect(most, `a task arriving ${depth} microtasks after the slot freed`).toBe(1);
    }
  });

  it('frees the slot when a task fails', async () => {
    const limit = createLimit(1);
    await expect(limit(() => Promise.reject(new Error('CA said no')))).rejects.toThrow(
      'CA said no',
    );
    expect(await limit(async () => 'next')).toBe('next');
  });

  it('refuses a size below one', () => {
    expect(() => createLimit(0)).toThrow(RangeError);
  });
});
