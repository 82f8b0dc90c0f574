/** Latency summaries in milliseconds: nearest-rank percentiles of the recorded samples. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return { count: sorted.length, mean, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

export const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / (values.length || 1);

/** Runs `next(i)` for i = 0…count-1 with at most `concurrency` in flight (a closed loop: each slot waits for its item). */
export async function runClosedLoop(count: number, concurrency: number, next: (i: number) => Promise<void>): Promise<void> {
  let taken = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (taken < count) await next(taken++);
    }),
  );
}

/** Like runClosedLoop, for `seconds`: each of `concurrency` slots starts its next item until the time is up. */
export async function runClosedLoopFor(seconds: number, concurrency: number, next: (i: number) => Promise<void>): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let taken = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await next(taken++);
    }),
  );
}
