import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  cancelOrderUpdate,
  orderStateQuery,
  PAYMENT_NOT_OF_ORDER,
  paymentEventSignal,
  refundWorkflowId,
  retryCompensationUpdate,
} from '../../workflows/order/definitions';
import { testClient } from '../harness/temporal';
import { fakeOrderActivities, paymentSucceeded } from './fake-order-activities';
import { runSaga, statusesOf } from './saga-harness';

// A late-payment refund the saga started (refund-{paymentId}) and the activity refused, because the payment is not
// the order's: the refusal reaches the order whether its saga still runs or has closed meanwhile. Workflow logic with
// mocked activities, on the real dev server.
describe('a late-payment refund refused as not the order’s', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  const refusedRefund = (extra: Parameters<typeof fakeOrderActivities>[0] = {}) =>
    fakeOrderActivities({
      failCompensation: { step: 'refundPayment', times: 1, type: PAYMENT_NOT_OF_ORDER },
      ...extra,
    });
  /** The refund workflow fails with the refusal (once it has told the saga, or flagged the order). */
  const refusal = (paymentId: string) =>
    expect(client.workflow.getHandle(refundWorkflowId(paymentId)).result()).rejects.toThrow();
  const flagsByActivity = (fake: ReturnType<typeof fakeOrderActivities>) =>
    fake.calls.filter((c) => c.name === 'flagRefundRefused').map((c) => c.args);

  it('while the saga runs: the order ends as it would (COMPLETED), then NEEDS_ATTENTION compensation_failed:refund_payment', async () => {
    const fake = refusedRefund();
    const other = `pay_other_${randomUUID()}`;
    await runSaga(client, fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId: other }));
      await refusal(other);
      // the order's own payment still pays it: another order's payment changes nothing about this one's
      await handle.signal(paymentEventSignal, paymentSucceeded());
      expect(await handle.result()).toMatchObject({
        status: 'NEEDS_ATTENTION',
        paymentStatus: 'succeeded',
        pendingCompensations: [],
      });
    });
    expect(statusesOf(fake).slice(-3)).toEqual(['PAID', 'COMPLETED', 'NEEDS_ATTENTION']);
    expect(fake.statuses.at(-1)).toEqual({
      status: 'NEEDS_ATTENTION',
      reason: 'compensation_failed:refund_payment',
      seq: expect.any(Number),
      task: expect.any(Number),
    });
    expect(fake.notifications()).toEqual(['order_confirmed']);
    expect(fake.names()).not.toContain('voidOrRefundOrderPayments'); // the customer's own payment is kept
    expect(flagsByActivity(fake)).toEqual([]); // the saga wrote it: it owns the order's status while it runs
  });

  it('while the saga waits for its own refund’s word: NEEDS_ATTENTION at once, the wait goes on, nothing to retry', async () => {
    const fake = refusedRefund();
    const other = `pay_other_${randomUUID()}`;
    await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded());
      await fake.reached('PAID');
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({
        outcome: 'refunded',
        status: 'REFUNDED',
      });
      await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId: other }));
      await refusal(other);
      await fake.reached('NEEDS_ATTENTION', 'compensation_failed:refund_payment');
      expect(await handle.query(orderStateQuery)).toMatchObject({
        status: 'NEEDS_ATTENTION',
        paymentStatus: 'refunded',
      });
      // no compensation of this order can settle another order's payment: an operator looks at it
      await expect(handle.executeUpdate(retryCompensationUpdate)).rejects.toThrow();
      await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refunded' }));
      expect(await handle.result()).toMatchObject({ status: 'NEEDS_ATTENTION', paymentStatus: 'refunded' });
    });
    expect(fake.statuses.slice(-3).map((s) => [s.status, s.reason])).toEqual([
      ['REFUNDED', 'customer_cancelled'],
      ['NEEDS_ATTENTION', 'compensation_failed:refund_payment'],
      ['NEEDS_ATTENTION', 'refund_confirmed'],
    ]);
    expect(flagsByActivity(fake)).toEqual([]);
  });

  it('after the saga has closed: the refund cannot tell it, and flags the order itself', async () => {
    let answer!: () => void;
    const fake = refusedRefund({ refundPaymentWaitsFor: new Promise<void>((resolve) => (answer = resolve)) });
    const other = `pay_other_${randomUUID()}`;
    await runSaga(client, fake, {}, async (handle, { input }) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId: other }));
      await handle.signal(paymentEventSignal, paymentSucceeded());
      await fake.called('refundPayment');
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED' });
      answer(); // the provider's answer comes after the saga closed
      await refusal(other);
      expect(flagsByActivity(fake)).toEqual([[input.orderId, other]]);
    });
    expect(statusesOf(fake)).not.toContain('NEEDS_ATTENTION');
  });
});
