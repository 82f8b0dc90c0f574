import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { ORDER_REASONS, ORDER_STATUSES, REASON_PREFIXES } from '../../workflows/order/state-machine';
import { testOrm } from '../harness/env';

// The state machine module is the one list of statuses and reasons; the database's CHECK constraints must say the
// same, or a status the saga writes would be refused (or a wrong one accepted). Its moves: state-machine.unit.test.ts.
describe('order state machine in the database', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm?.close();
  });

  async function checkLiterals(name: string): Promise<string[]> {
    const rows = await orm.em.fork().execute<{ def: string }[]>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = ?`, [name]);
    expect(rows).toHaveLength(1);
    return [...rows[0].def.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  }

  it.each(['orders_status_known', 'order_history_status_known'])('%s allows exactly the module’s statuses', async (name) => {
    expect([...new Set(await checkLiterals(name))].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it.each(['orders_failure_reason_known', 'order_history_reason_known'])('%s allows exactly the module’s reasons', async (name) => {
    const literals = new Set(await checkLiterals(name));
    const expected = new Set<string>([...ORDER_REASONS, ...REASON_PREFIXES.map((p) => `${p}%`)]);
    expect([...literals].sort()).toEqual([...expected].sort());
  });

  it('the database refuses a reason outside the vocabulary and accepts one inside it', async () => {
    const em = orm.em.fork();
    const id = randomUUID();
    await em.execute(`INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, request_fingerprint) VALUES (?, ?, 'c', 'c@example.com', 'PENDING', '[]', 'fp')`, [id, `order-${id}`]);
    await expect(em.execute(`UPDATE orders SET failure_reason = 'because' WHERE id = ?`, [id])).rejects.toThrow(/orders_failure_reason_known/);
    await em.execute(`UPDATE orders SET failure_reason = 'compensation_failed:restock' WHERE id = ?`, [id]);
    await expect(em.execute(`UPDATE orders SET status = 'LOST' WHERE id = ?`, [id])).rejects.toThrow(/orders_status_known/);
  });
});
