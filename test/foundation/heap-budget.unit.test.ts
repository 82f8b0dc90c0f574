import { heapBudgetProblem, heapNeededMiB } from '../../src/worker/heap-budget';
import { WORKER_PROCESS_ENV } from '../../src/worker/process-settings';
import { NOTHING_LISTENS, runEntry } from '../harness/run-entry';

describe("the workflow cache against the worker's heap limit", () => {
  it('fits the default cache of 100 under the production settings (216 MiB per isolate), with room to spare', () => {
    expect(heapNeededMiB(100)).toBeLessThan(216 / 1.5);
    expect(heapBudgetProblem(216, 100)).toBeUndefined();
  });

  it('refuses a cache the limit cannot hold, naming both settings', () => {
    const problem = heapBudgetProblem(216, 1000);
    expect(problem).toMatch(/WORKER_MAX_CACHED_WORKFLOWS=1000 needs about 564 MiB/);
    expect(problem).toMatch(/heap limit is 216 MiB/);
    expect(problem).toMatch(/--max-old-space-size/);
  });

  it('grows with the cache', () => {
    expect(heapNeededMiB(200)).toBeGreaterThan(heapNeededMiB(100));
    expect(heapBudgetProblem(4144, 1000)).toBeUndefined();
  });

  it('stops the worker process at start-up, before it reaches anything, when the cache does not fit', async () => {
    const env = {
      ...process.env,
      ...WORKER_PROCESS_ENV,
      NODE_ENV: 'development',
      WORKER_MAX_CACHED_WORKFLOWS: '1000',
      ...NOTHING_LISTENS,
    };
    const { code, stderr } = await runEntry('src/worker/main.ts', env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^WORKER_MAX_CACHED_WORKFLOWS=1000 needs about 564 MiB of V8 heap, but this worker's heap limit is 216 MiB/);
  }, 60_000);
});
