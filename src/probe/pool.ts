// Work pulled as it is needed: at most `limit` tasks started and not yet finished. A run of hundreds
// of profiles has tens of thousands of checks; started all at once, each would wait in memory (and
// outlive the young generation) long before its request is sent.
export async function forEachBounded<T>(items: Iterable<T>, limit: number, run: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !failed && !next.done; next = iterator.next()) {
      try {
        await run(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await settled(Array.from({ length: Math.max(1, limit) }, worker));
}

/**
 * Waits for every one of them, then throws the first failure: after a failure, nothing else is
 * started (for the pool), but what is under way is waited for, so that the cleanup that follows
 * sees every write's answer.
 */
export async function settled<T extends readonly unknown[]>(work: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const outcomes = await Promise.allSettled(work);
  const failure = outcomes.find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
