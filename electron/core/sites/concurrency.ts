/**
 * Runs async work over a list with a bound on how many run at once, keeping results in input
 * order. Used by the live check so a site with many hosts does not open a connection to each at
 * the same moment.
 */

/**
 * Calls `work` for every item, at most `limit` (at least 1) at a time, starting items in list
 * order as earlier ones finish. Resolves with the results in the order of `items`; rejects with
 * the first rejection, after which no new item is started (those already running finish on
 * their own).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: items.length === 0 ? 0 : workers }, worker));
  return results;
}
