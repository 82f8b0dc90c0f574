/**
 * The environment a worker process starts with in production (docker-compose.yml's worker service) and under the
 * launcher (npm start, the bench, chaos), defined once; a test holds docker-compose.yml to it. An operator's own
 * NODE_OPTIONS or MALLOC_ARENA_MAX replaces these.
 *
 * Measured at C = 64 (bench/README.md, "Memory"): with V8's defaults on a machine with a lot of RAM, the main
 * thread's old generation fills with garbage up to ~190 MiB before a full collection (~70 MiB of it live), and glibc
 * gives the SDK's native threads an arena each. With these settings the worker's peak RSS went from ~470 to ~290 MiB
 * for the same CPU per order.
 */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = {
  /**
   * V8 heap limits, per isolate (the main thread and the workflow thread each get them): an old generation of at
   * most 192 MiB (live data after a full collection is ~70 MiB in the main thread, and a workflow cache of 100 sagas
   * ~30 MiB; heap-budget.ts refuses a cache that would not fit), and semi-spaces of 8 MiB instead of 16.
   */
  NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=8',
  /** Two glibc malloc arenas instead of eight per core: the SDK's threads fragment fewer of them (~50 MiB less RSS). */
  MALLOC_ARENA_MAX: '2',
};
