import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import type { OrderStatus } from '../../workflows/order/state-machine';
import {
  CANCELLABLE_STATUSES,
  canMove,
  isOrderReason,
  ORDER_REASONS,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  REASON_PREFIXES,
  TERMINAL_STATUSES,
  UNPAID_STATUSES,
} from '../../workflows/order/state-machine';
import { testOrm } from '../harness/env';

// The state machine module is the one list of statuses and reasons; the database's CHECK constraints must say the
// same, or a status the saga writes would be refused (or a wrong one accepted).
describe('order state machine', () => {
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

  it('every status is reachable from PENDING; terminal ones lead nowhere but back to an operator', () => {
    const reached = new Set<string>(['PENDING']);
    const queue: OrderStatus[] = ['PENDING'];
    for (let from = queue.shift(); from; from = queue.shift()) {
      for (const to of ORDER_TRANSITIONS[from].filter((s) => !reached.has(s))) {
        reached.add(to);
        queue.push(to);
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
    // A refund the provider reports failed after the fact reopens a CANCELLED or REFUNDED order for an operator.
    for (const status of TERMINAL_STATUSES) expect(ORDER_TRANSITIONS[status]).toEqual(status === 'CANCELLED' || status === 'REFUNDED' ? ['NEEDS_ATTENTION'] : []);
    expect(canMove('PAID', 'REFUNDED')).toBe(true);
    expect(canMove('COMPLETED', 'REFUNDED')).toBe(false);
  });

  it('the sets agree with the moves: a cancellable order can still reach CANCELLED or REFUNDED; an unpaid one never was PAID', () => {
    for (const status of CANCELLABLE_STATUSES) expect(ORDER_TRANSITIONS[status].some((to) => to === 'CANCELLED' || to === 'REFUNDED')).toBe(true);
    expect(UNPAID_STATUSES).not.toContain('PAID');
    expect(isOrderReason('compensation_failed:release_stock,restock')).toBe(true);
    expect(isOrderReason('payment_declined_maybe')).toBe(false);
  });
});
