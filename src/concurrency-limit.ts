/**
 * At most `limit` calls of `run` in flight at once; the rest wait in arrival order. Used to cap how many stock
 * reservations a worker sends at once, so activity slots do not pile up on a hot product row's lock.
 */
export function concurrencyLimit(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next(); // hand the slot straight to the next caller
      else active--;
    }
  };
}
