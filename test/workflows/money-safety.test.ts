import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { cancelOrderUpdate, orderStateQuery, paymentEventSignal, refundWorkflowId, retryCompensationUpdate } from '../../workflows/order/definitions';
import { testClient } from '../harness/temporal';
import { fakeOrderActivities, paymentSucceeded } from './fake-order-activities';
import { countOf, runSaga, statusesOf } from './saga-harness';

// The saga never keeps money without a PAID order, never loses a compensation, and never claims a refund the
// provider did not confirm. Workflow logic with mocked activities, on the real dev server.
describe('order saga money safety', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  const refundOf = (paymentId: string) => client.workflow.getHandle(refundWorkflowId(paymentId));
  const refundedIds = (fake: ReturnType<typeof fakeOrderActivities>) =>
    fake.calls.filter((c) => c.name === 'refundPayment').map((c) => c.args[1]);

  describe('webhooks are bound to the saga’s own payment', () => {
    it('a success for another payment of the order does not pay it, and that payment is refunded', async () => {
      const fake = fakeOrderActivities();
      const stray = `pay_stray_${randomUUID()}`;
      await runSaga(client, fake, { paymentTimeoutMs: 1500 }, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId: stray }));
        await fake.called('refundPayment');
        await refundOf(stray).result();
        // its own payment never succeeded: at the timeout the provider says pending, so it is voided and cancelled
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'payment_timeout' });
      });
      expect(statusesOf(fake)).not.toContain('PAID');
      expect(fake.names()).not.toContain('commitOrderStock');
      expect(refundedIds(fake)).toEqual([stray]);
    });

    it('its own success still pays it after a stray one, and only the stray is refunded', async () => {
      const fake = fakeOrderActivities();
      const stray = `pay_stray_${randomUUID()}`;
      await runSaga(client, fake, {}, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId: stray }));
        await handle.signal(paymentEventSignal, paymentSucceeded());
        expect((await handle.result()).status).toBe('COMPLETED');
        await fake.called('refundPayment');
        await refundOf(stray).result();
      });
      expect(countOf(fake, 'commitOrderStock')).toBe(1);
      expect(refundedIds(fake)).toEqual([stray]);
    });

    it('a success that arrives after the order ended unpaid starts refund-{paymentId}', async () => {
      const paymentId = `pay_${randomUUID()}`;
      const fake = fakeOrderActivities({ paymentId, failCompensation: { step: 'releaseOrderStock', times: 1 } });
      await runSaga(client, fake, {}, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId, type: 'payment.failed', reason: 'insufficient_funds' }));
        await fake.reached('NEEDS_ATTENTION');
        // the provider changes its mind: the money must not stay with an unpaid order
        await handle.signal(paymentEventSignal, paymentSucceeded({ paymentId }));
        await fake.called('refundPayment');
        await refundOf(paymentId).result();
        await handle.executeUpdate(retryCompensationUpdate);
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'insufficient_funds' });
      });
      expect(refundedIds(fake)).toEqual([paymentId]);
      expect(statusesOf(fake)).not.toContain('PAID');
    });
  });

  describe('compensation before the step', () => {
    it('a Temporal cancel while the stock is being reserved releases the reservation once it is made', async () => {
      const fake = fakeOrderActivities({ reserveDelayMs: 1500 });
      await runSaga(
        client,
        fake,
        {},
        async (handle) => {
          await fake.called('reserveOrderStock');
          await handle.cancel();
          expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'cancelled_by_operator' });
        },
        { place: false },
      );
      const names = fake.names();
      expect(names.indexOf('reserved')).toBeLessThan(names.lastIndexOf('releaseOrderStock'));
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_operator' });
    });

    it('a payment request that fails after the provider may have charged is voided by order', async () => {
      const fake = fakeOrderActivities({ requestPaymentFails: 'unreachable' });
      await runSaga(client, fake, {}, async (handle) => {
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'payment_request_failed' });
      });
      const names = fake.names();
      expect(names.indexOf('voidOrRefundOrderPayments')).toBeLessThan(names.indexOf('releaseOrderStock'));
      expect(fake.calls.find((c) => c.name === 'voidOrRefundOrderPayments')!.args).toEqual([expect.any(String), undefined]);
    });

    it('a payment the provider refuses outright ends cancelled with payment_refused', async () => {
      const fake = fakeOrderActivities({ requestPaymentFails: 'refused' });
      await runSaga(client, fake, {}, async (handle) => {
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'payment_refused' });
      });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment_refused' });
    });
  });

  describe('a Temporal cancel ends consistently in any state', () => {
    it('awaiting payment: void + release, CANCELLED with cancelled_by_operator', async () => {
      const fake = fakeOrderActivities();
      await runSaga(client, fake, { paymentTimeoutMs: 60_000 }, async (handle) => {
        await fake.reached('AWAITING_PAYMENT');
        await handle.cancel();
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', paymentStatus: 'voided' });
      });
      expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'releaseOrderStock']));
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_operator' });
    });

    it('paid: restock + refund, REFUNDED with cancelled_by_operator', async () => {
      const fake = fakeOrderActivities();
      await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded());
        await fake.reached('PAID');
        await handle.cancel();
        // the cancel that caused the refund does not end the wait for the refund's webhook
        await fake.reached('REFUNDED');
        await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refunded' }));
        expect(await handle.result()).toMatchObject({ status: 'REFUNDED', paymentStatus: 'refunded' });
      });
      expect(fake.names()).toEqual(expect.arrayContaining(['restockOrder', 'voidOrRefundOrderPayments']));
      expect(fake.names()).not.toContain('releaseOrderStock');
      expect(fake.statuses.find((s) => s.status === 'REFUNDED')).toMatchObject({ reason: 'cancelled_by_operator' });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'REFUNDED', reason: 'refund_confirmed' });
    });
  });

  describe('no claim without proof', () => {
    it('a refund the provider cannot confirm leaves the order in NEEDS_ATTENTION, never REFUNDED', async () => {
      const fake = fakeOrderActivities({ failCompensation: { step: 'voidOrRefundOrderPayments', times: 1, type: 'payment_not_found' } });
      await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded());
        await fake.reached('PAID');
        expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'needs_attention', status: 'NEEDS_ATTENTION' });
        expect(await handle.query(orderStateQuery)).toMatchObject({ pendingCompensations: ['void_or_refund_payment'] });
        await handle.terminate('test done');
      });
      expect(statusesOf(fake)).not.toContain('REFUNDED');
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'compensation_failed:void_or_refund_payment', failureReason: 'customer_cancelled' });
    });

    it('waits for the refund’s word for REFUND_CONFIRMATION_TIMEOUT, not for PAYMENT_TIMEOUT', async () => {
      const fake = fakeOrderActivities();
      await runSaga(client, fake, { cancelWindowMs: 60_000, paymentTimeoutMs: 30_000, refundConfirmationTimeoutMs: 7_200_000 }, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded());
        await fake.reached('PAID');
        await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
        await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refunded' }));
        expect(await handle.result()).toMatchObject({ status: 'REFUNDED' });
        const timers = (await handle.fetchHistory()).events!.flatMap((e) => (e.timerStartedEventAttributes ? [Number(e.timerStartedEventAttributes.startToFireTimeout!.seconds)] : []));
        expect(timers.at(-1)).toBe(7200);
      });
    });

    it('a refund the provider later reports failed withdraws REFUNDED until an operator’s retry refunds anew', async () => {
      const fake = fakeOrderActivities();
      await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded());
        await fake.reached('PAID');
        expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
        // the refund of another payment failing concerns this order in no way
        await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refund_failed', paymentId: 'pay_other', reason: 'expired_or_canceled_card' }));
        await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refund_failed', reason: 'expired_or_canceled_card' }));
        await fake.reached('NEEDS_ATTENTION', 'refund_failed');
        expect(await handle.query(orderStateQuery)).toMatchObject({ status: 'NEEDS_ATTENTION', paymentStatus: 'succeeded', pendingCompensations: ['refund_payment'] });
        // nothing is refunded again until an operator says so; the retry asks the provider for a new refund
        expect(countOf(fake, 'voidOrRefundOrderPayments')).toBe(1);
        await handle.executeUpdate(retryCompensationUpdate);
        await fake.called('voidOrRefundOrderPayments', 2);
        await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.refunded' }));
        expect(await handle.result()).toMatchObject({ status: 'REFUNDED', paymentStatus: 'refunded' });
      });
      const refunds = fake.calls.filter((c) => c.name === 'voidOrRefundOrderPayments').map((c) => c.args[2]);
      expect(refunds).toEqual([undefined, 2]);
      expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'REFUNDED', 'NEEDS_ATTENTION', 'REFUNDED', 'REFUNDED']);
      expect(fake.statuses.at(-3)).toMatchObject({ reason: 'refund_failed', failureReason: 'refund_failed', paymentStatus: 'succeeded' });
      expect(fake.statuses.at(-1)).toMatchObject({ reason: 'refund_confirmed' });
    });
  });

  describe('reconciliation before timing out', () => {
    it('the webhook was lost but the provider charged: the order is paid, and nothing is voided', async () => {
      const fake = fakeOrderActivities({ check: { status: 'succeeded', amountCents: 2500, currency: 'EUR' } });
      await runSaga(client, fake, { paymentTimeoutMs: 300 }, async (handle) => {
        expect((await handle.result()).status).toBe('COMPLETED');
      });
      expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED']);
      expect(fake.names()).not.toContain('voidOrRefundOrderPayments');
    });

    it('the provider says failed: the decline path, with the provider’s reason', async () => {
      const fake = fakeOrderActivities({ check: { status: 'failed', failureReason: 'card_declined' } });
      await runSaga(client, fake, { paymentTimeoutMs: 300 }, async (handle) => {
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'card_declined' });
      });
    });
  });

  describe('bounded amounts and deterministic failures', () => {
    it('a total above MAX_ORDER_TOTAL_CENTS is a rejection, answered to the placement', async () => {
      const fake = fakeOrderActivities({ rejectWith: 'order_total_too_large' });
      await runSaga(client, fake, {}, async (handle, { placed }) => {
        expect(placed).toMatchObject({ outcome: 'rejected', rejection: { code: 'order_total_too_large' } });
        expect(await handle.result()).toMatchObject({ status: 'REJECTED', failureReason: 'order_total_too_large' });
      });
      expect(fake.names()).not.toContain('requestPayment');
    });

    it('a sale the database refuses for good is compensated (refund + release), not retried for ever', async () => {
      const fake = fakeOrderActivities({ databaseRejects: 'commitOrderStock' });
      await runSaga(client, fake, {}, async (handle) => {
        await handle.signal(paymentEventSignal, paymentSucceeded());
        expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'step_failed:commitOrderStock' });
      });
      expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'releaseOrderStock']));
    });
  });
});
