import { concurrencyLimit } from '../../src/concurrency-limit';

describe('concurrencyLimit', () => {
  it('never runs more than the limit at once, runs every task, and frees the slot when a task fails', async () => {
    const limit = concurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const task = (i: number) =>
      limit(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        if (i % 4 === 0) throw new Error(`task ${i} failed`);
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => task(i)));
    expect(peak).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(15);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    expect(await limit(async () => 'still usable')).toBe('still usable');
  });
});
