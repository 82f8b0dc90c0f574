/**
 * Whether the workflow cache fits the V8 heap the worker runs with. The worker's heap is capped (process-settings.ts),
 * and a cache raised past what the cap holds would not fail at start but under load, mid-saga, out of memory.
 * So the worker checks at start-up and refuses with the two settings to change.
 */

/** The workflow thread's own needs besides its cache: the bundle's modules, the SDK, activations in flight (MiB). */
const BASE_MIB = 64;
/** One cached saga, with room to spare: ~0.3 MiB measured with its full history (bench/README.md, "Memory"). */
const PER_CACHED_WORKFLOW_MIB = 0.5;

/** The V8 heap a workflow thread needs for this many cached workflows, in MiB. */
export function heapNeededMiB(cachedWorkflows: number): number {
  return BASE_MIB + cachedWorkflows * PER_CACHED_WORKFLOW_MIB;
}

/** A message naming the settings when `cachedWorkflows` needs more heap than `heapLimitMiB`; undefined when it fits. */
export function heapBudgetProblem(heapLimitMiB: number, cachedWorkflows: number): string | undefined {
  const needed = heapNeededMiB(cachedWorkflows);
  if (needed <= heapLimitMiB) return undefined;
  return (
    `WORKER_MAX_CACHED_WORKFLOWS=${cachedWorkflows} needs about ${Math.ceil(needed)} MiB of V8 heap, but this worker's ` +
    `heap limit is ${Math.floor(heapLimitMiB)} MiB: lower WORKER_MAX_CACHED_WORKFLOWS, or raise the limit with ` +
    `NODE_OPTIONS=--max-old-space-size=<MiB>`
  );
}
