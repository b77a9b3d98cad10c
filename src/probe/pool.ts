// Work pulled as it is needed: at most `limit` tasks started and not yet finished. A run of hundreds
// of profiles has tens of thousands of checks; started all at once, each would wait in memory (and
// outlive the young generation) long before its request is sent.
export async function forEachBounded<T>(items: Iterable<T>, limit: number, run: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await run(next.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
