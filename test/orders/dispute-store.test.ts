import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { applyDisputeReport, DisputeBeforePaymentError } from '../../src/orders/dispute-store';
import { insertOrder, recordStatus } from '../../src/orders/order-store';
import { testOrm } from '../harness/env';

// A dispute's webhook that overtakes the payment's success (providers reorder their webhooks) waits for the saga.
describe('a dispute reported before the order took in its payment', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm.close();
  });

  const report = { disputeId: `dp_${randomUUID()}`, status: 'open' as const, amountCents: 900, reason: 'fraudulent' };
  const orderRow = async (orderId: string) =>
    (await orm.em.fork().getConnection().execute<{ status: string; dispute: unknown }[]>('SELECT status, dispute FROM orders WHERE id = ?', [orderId]))[0];

  it('is refused (retryably) while the order awaits its payment, then applied once it is PAID', async () => {
    const orderId = randomUUID();
    await insertOrder(orm.em.fork(), { orderId, workflowId: `order-${orderId}`, customerId: 'c-dispute', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
    await recordStatus(orm.em.fork(), orderId, { seq: 1, status: 'RESERVED' });
    await recordStatus(orm.em.fork(), orderId, { seq: 2, status: 'AWAITING_PAYMENT', paymentStatus: 'pending' });

    await expect(applyDisputeReport(orm.em.fork(), orderId, report)).rejects.toBeInstanceOf(DisputeBeforePaymentError);
    expect(await orderRow(orderId)).toEqual({ status: 'AWAITING_PAYMENT', dispute: null });

    await recordStatus(orm.em.fork(), orderId, { seq: 3, status: 'PAID', paymentStatus: 'succeeded' });
    const applied = await applyDisputeReport(orm.em.fork(), orderId, report);
    expect(applied).toMatchObject({ opened: true, orderStatus: 'DISPUTED', dispute: { id: report.disputeId, status: 'open' } });
    expect(await orderRow(orderId)).toMatchObject({ status: 'DISPUTED' });
  });

  it('is kept without a status change on an order that ended unpaid', async () => {
    const orderId = randomUUID();
    await insertOrder(orm.em.fork(), { orderId, workflowId: `order-${orderId}`, customerId: 'c-dispute', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
    await recordStatus(orm.em.fork(), orderId, { seq: 1, status: 'CANCELLED', reason: 'payment_timeout', failureReason: 'payment_timeout' });
    const applied = await applyDisputeReport(orm.em.fork(), orderId, { ...report, disputeId: `dp_${randomUUID()}` });
    expect(applied).toMatchObject({ opened: true, orderStatus: 'CANCELLED' });
  });
});
