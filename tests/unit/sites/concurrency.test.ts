import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../electron/core/sites/concurrency.ts';

/** Work whose items finish only when the test says so, recording how many run at once. */
function controlledWork() {
  const finishers = new Map<number, (value: string) => void>();
  const started: number[] = [];
  let running = 0;
  let mostRunning = 0;
  const work = (item: number) =>
    new Promise<string>((resolve) => {
      started.push(item);
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      finishers.set(item, (value) => {
        running -= 1;
        resolve(value);
      });
    });
  const finish = async (item: number) => {
    finishers.get(item)?.(`done ${item}`);
    // Let the worker that ran `item` pick up its next one.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  return { work, finish, started, most: () => mostRunning };
}

describe('mapWithConcurrency', () => {
  it('runs at most `limit` items at once, starting the next as one finishes', async () => {
    const { work, finish, started, most } = controlledWork();
    const all = mapWithConcurrency([0, 1, 2, 3, 4], 2, work);
    expect(started).toEqual([0, 1]);
    await finish(1);
    expect(started).toEqual([0, 1, 2]);
    await finish(0);
    await finish(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    await finish(4);
    await finish(3);
    expect(await all).toEqual(['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
    expect(most()).toBe(2);
  });

  it.each([
    [0, 1],
    [1, 1],
    [3, 3],
    [10, 5],
  ])('with limit %i starts %i of five items at once', (limit, expected) => {
    const { work, started } = controlledWork();
    void mapWithConcurrency([0, 1, 2, 3, 4], limit, work);
    expect(started).toHaveLength(expected);
  });

  it('resolves an empty list at once', async () => {
    expect(await mapWithConcurrency([], 4, async () => 'never')).toEqual([]);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const result = mapWithConcurrency([0, 1, 2, 3], 1, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('host 1 failed');
      return item;
    });
    await expect(result).rejects.toThrowError('host 1 failed');
    expect(started).toEqual([0, 1]);
  });
});
