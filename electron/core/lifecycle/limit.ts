/**
 * A concurrency limit for async work: at most `size` tasks run at once, the rest wait their
 * turn in arrival order. A finishing task hands its slot straight to the next waiter, so a
 * task arriving at that moment cannot slip in as well and push the count past `size`.
 */
export type Limit = <T>(work: () => Promise<T>) => Promise<T>;

export function createLimit(size: number): Limit {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError('a limit needs a size of 1 or more');
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (active < size) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
