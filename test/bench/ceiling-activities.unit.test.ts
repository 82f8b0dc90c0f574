import type { Pool } from 'pg';
import { createCeilingActivities } from '../../bench/ceiling/activities';

/** A pool that only counts the statements it is sent. */
function countingPool(): { pool: Pool; sent: string[] } {
  const sent: string[] = [];
  const pool = { query: async (q: { text: string }) => (sent.push(q.text), { rows: [] }) } as unknown as Pool;
  return { pool, sent };
}

// The ceiling-waits leg: the ceiling waits on PostgreSQL once per round trip of the saga activity it stands in for.
describe('bench ceiling activities', () => {
  it('make no round trip unless asked to wait, pool or not', async () => {
    const { pool, sent } = countingPool();
    const plain = createCeilingActivities(pool);
    await expect(plain.ceilingReserve('a')).resolves.toEqual({ totalCents: 2500 });
    await expect(plain.ceilingRequestPayment('a')).resolves.toEqual({ paymentId: 'pay_a' });
    await plain.ceilingNotify('a');
    expect(sent).toEqual([]);
    await expect(createCeilingActivities().ceilingReserve('a', true)).resolves.toEqual({ totalCents: 2500 });
  });

  it('asked to wait, make as many round trips as the saga’s activity: 9 for a paid order', async () => {
    const { pool, sent } = countingPool();
    const a = createCeilingActivities(pool);
    const counts: Record<string, number> = {};
    const step = async (name: string, run: () => Promise<unknown>) => {
      const before = sent.length;
      await run();
      counts[name] = sent.length - before;
    };
    await step('record', () => a.ceilingRecord('a', 'PENDING', true));
    await step('reserve', () => a.ceilingReserve('a', true));
    await step('requestPayment', () => a.ceilingRequestPayment('a', true));
    await step('commit', () => a.ceilingCommit('a', true));
    await step('notify', () => a.ceilingNotify('a', true));
    await step('completed', () => a.ceilingRecord('a', 'COMPLETED', true));
    expect(counts).toEqual({ record: 1, reserve: 2, requestPayment: 2, commit: 1, notify: 2, completed: 1 });
    expect(new Set(sent)).toEqual(new Set(['SELECT 1']));
  });
});
