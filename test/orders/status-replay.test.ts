import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { findOrder } from '../../src/orders/order-queries';
import { insertOrder, recordStatus } from '../../src/orders/order-store';
import type { StatusChange } from '../../workflows/order/activity-types';
import { testOrm } from '../harness/env';

/**
 * Status writes on the real database when a workflow task is lost with its worker after its local activities wrote
 * (task 3 here), and the replay of that task (task 7) takes another course at a position already written.
 */
describe('status writes of a saga whose workflow task was lost and replayed', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm?.close();
  });

  const write = (orderId: string, change: StatusChange) => recordStatus(orm.em.fork(), orderId, change);
  const history = async (orderId: string) =>
    (await orm.em.getConnection().execute<{ status: string }[]>(`SELECT status FROM order_history WHERE order_id = ? ORDER BY seq`, [orderId])).map((r) => r.status);
  const statusOf = async (orderId: string) => (await findOrder(orm.em.fork(), orderId))!.order.status;

  async function lostCourse(): Promise<string> {
    const orderId = randomUUID();
    await insertOrder(orm.em.fork(), { orderId, workflowId: `order-${orderId}`, customerId: 'c-replay', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
    await write(orderId, { seq: 1, status: 'RESERVED', task: 3 });
    await write(orderId, { seq: 2, status: 'AWAITING_PAYMENT', task: 3 });
    return orderId;
  }

  it('the replay’s other course replaces the lost one at that position; its same steps write nothing again', async () => {
    const orderId = await lostCourse();
    // The replay re-runs the steps: the same statuses at the same positions change nothing…
    expect(await write(orderId, { seq: 1, status: 'RESERVED', task: 7 })).toBeUndefined();
    // …then a cancel that arrived meanwhile takes the saga elsewhere at position 2.
    expect(await write(orderId, { seq: 2, status: 'CANCELLED', reason: 'customer_cancelled', task: 7 })).toMatchObject({ previousStatus: 'AWAITING_PAYMENT' });
    expect(await statusOf(orderId)).toBe('CANCELLED');
    expect(await history(orderId)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'CANCELLED']);
    // A retry of that write, and a late write of the lost course, change nothing.
    expect(await write(orderId, { seq: 2, status: 'CANCELLED', reason: 'customer_cancelled', task: 7 })).toBeUndefined();
    expect(await write(orderId, { seq: 2, status: 'AWAITING_PAYMENT', task: 3 })).toBeUndefined();
    expect(await statusOf(orderId)).toBe('CANCELLED');
    expect(await history(orderId)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'CANCELLED']);
  });

  it('the saga goes on from the replaced position', async () => {
    const orderId = await lostCourse();
    await write(orderId, { seq: 2, status: 'CANCELLED', task: 7 });
    expect(await write(orderId, { seq: 3, status: 'REFUNDED', task: 12 })).toMatchObject({ previousStatus: 'CANCELLED' });
    expect(await history(orderId)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'CANCELLED', 'REFUNDED']);
  });

  it('a change without a task (numbered before tasks were recorded) never replaces one: a retry stays a retry', async () => {
    const orderId = await lostCourse();
    expect(await write(orderId, { seq: 2, status: 'CANCELLED' })).toBeUndefined();
    expect(await statusOf(orderId)).toBe('AWAITING_PAYMENT');
  });
});
