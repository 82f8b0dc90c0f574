import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createOrderActivities } from '../../activities/order-activities';
import type { Orm } from '../../src/db/orm';
import type { OrderActivities, StatusChange } from '../../workflows/order/activity-types';
import { makeProduct, stockOf } from '../catalog/fixtures';
import { testConfig, testLogger, testOrm } from '../harness/env';
import { fakeNotifier, fakeProvider } from './fakes';

// The order activities' database work against the test database (provider and notifier faked; their decisions are
// unit-tested in order-activities.unit.test.ts), each run in a MockActivityEnvironment, as Temporal would run it.
describe('order activities on the database', () => {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  let orm: Orm;
  let activities: OrderActivities;
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args);

  beforeAll(async () => {
    orm = await testOrm();
    activities = createOrderActivities({
      orm,
      config: testConfig({ MAX_ORDER_TOTAL_CENTS: '100000' }),
      logger: testLogger(),
      payments: fakeProvider().provider,
      notifier: fakeNotifier().notifier,
    });
  });
  afterAll(async () => {
    await orm?.close();
  });

  describe('reserveOrderStock', () => {
    it('a total above MAX_ORDER_TOTAL_CENTS is a non-retryable order_total_too_large, and nothing is reserved', async () => {
      const product = await makeProduct(orm, { priceCents: 60_000, stock: 5 });
      const orderId = randomUUID();
      await run(activities.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'c', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
      const failure = await run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 2 }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'order_total_too_large', nonRetryable: true });
      expect(await stockOf(orm, product.id)).toMatchObject({ on_hand: 5, reserved: 0 });
      // at the limit it is fine
      expect(await run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 1 }])).toEqual({
        totalCents: 60_000,
        currency: 'EUR',
        lines: [{ productId: product.id, quantity: 1, unitPriceCents: 60_000, requiresShipping: false }],
      });
    });
  });

  describe('commitOrderStock', () => {
    it('makes the sale and writes PAID in one go; run again, it changes nothing', async () => {
      const product = await makeProduct(orm, { priceCents: 500, stock: 5 });
      const orderId = randomUUID();
      const items = [{ productId: product.id, quantity: 2 }];
      await run(activities.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'c', customerEmail: 'c@example.com', items, requestFingerprint: 'fp' });
      await run(activities.reserveOrderStock, orderId, items, { status: 'RESERVED', seq: 1, task: 3 });
      const paid: StatusChange = { status: 'PAID', seq: 2, task: 9, paymentStatus: 'succeeded' };
      const state = async () => {
        const [order] = await orm.em.fork().getConnection().execute(`SELECT status, payment_status, captured_cents FROM orders WHERE id = ?`, [orderId]);
        const rows = await orm.em
          .fork()
          .getConnection()
          .execute<{ what: string }[]>(
            `SELECT 'history ' || status AS what FROM order_history WHERE order_id = ?
             UNION ALL SELECT 'reservation ' || status FROM stock_reservations WHERE order_id = ?
             UNION ALL SELECT 'ledger ' || kind || ' ' || delta FROM stock_movements WHERE order_id = ?
             ORDER BY 1`,
            [orderId, orderId, orderId],
          );
        return { order: { ...order, captured_cents: Number(order.captured_cents) }, rows: rows.map((r) => r.what), stock: await stockOf(orm, product.id) };
      };

      await run(activities.commitOrderStock, orderId, paid);
      const after = await state();
      expect(after).toEqual({
        order: { status: 'PAID', payment_status: 'succeeded', captured_cents: 1000 },
        rows: ['history PAID', 'history PENDING', 'history RESERVED', 'ledger SALE -2', 'reservation COMMITTED'],
        stock: expect.objectContaining({ on_hand: 3, reserved: 0 }),
      });
      // A retried activity (its first answer lost): one sale, one PAID.
      await run(activities.commitOrderStock, orderId, paid);
      expect(await state()).toEqual(after);
    });
  });

  describe('flagRefundRefused', () => {
    /** An order its saga ended (or left) in `change.status`. */
    async function orderIn(change: Omit<StatusChange, 'seq'>) {
      const orderId = randomUUID();
      await run(activities.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'c', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
      await run(activities.recordOrderStatus, orderId, { ...change, seq: 1 });
      return orderId;
    }
    const orderRow = async (orderId: string) => {
      const [order] = await orm.em.fork().getConnection().execute(`SELECT status, failure_reason, status_seq FROM orders WHERE id = ?`, [orderId]);
      const history = await orm.em
        .fork()
        .getConnection()
        .execute<{ status: string; reason: string | null }[]>(`SELECT status, reason FROM order_history WHERE order_id = ? ORDER BY seq`, [orderId]);
      return { ...order, history: history.map((h) => [h.status, h.reason]) };
    };

    it('an ended order (COMPLETED, CANCELLED, REFUNDED) goes to NEEDS_ATTENTION once, keeping its failure reason', async () => {
      const completed = await orderIn({ status: 'COMPLETED' });
      const cancelled = await orderIn({ status: 'CANCELLED', reason: 'payment_timeout', failureReason: 'payment_timeout' });
      const refunded = await orderIn({ status: 'REFUNDED', reason: 'customer_cancelled' });
      for (const orderId of [completed, cancelled, refunded]) {
        await run(activities.flagRefundRefused, orderId, 'pay_other');
        await run(activities.flagRefundRefused, orderId, 'pay_other'); // retried: one row
      }
      expect(await orderRow(completed)).toEqual({
        status: 'NEEDS_ATTENTION',
        failure_reason: null,
        status_seq: 2,
        history: [
          ['PENDING', null],
          ['COMPLETED', null],
          ['NEEDS_ATTENTION', 'compensation_failed:refund_payment'],
        ],
      });
      expect(await orderRow(cancelled)).toMatchObject({ status: 'NEEDS_ATTENTION', failure_reason: 'payment_timeout', status_seq: 2 });
      expect(await orderRow(refunded)).toMatchObject({ status: 'NEEDS_ATTENTION', status_seq: 2 });
    });

    it('an order still on its way, or already waiting for an operator, is left alone', async () => {
      const paid = await orderIn({ status: 'PAID' });
      const waiting = await orderIn({ status: 'NEEDS_ATTENTION', reason: 'refund_failed', failureReason: 'refund_failed' });
      for (const orderId of [paid, waiting]) await run(activities.flagRefundRefused, orderId, 'pay_other');
      expect(await orderRow(paid)).toMatchObject({ status: 'PAID', status_seq: 1 });
      expect(await orderRow(waiting)).toMatchObject({ status: 'NEEDS_ATTENTION', failure_reason: 'refund_failed', status_seq: 1 });
    });
  });
});
