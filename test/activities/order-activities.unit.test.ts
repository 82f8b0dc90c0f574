import { SAFE_FAILURES } from '../../activities/safe-failures';
import { randomUUID } from 'node:crypto';
import { CheckConstraintViolationException, DriverException } from '@mikro-orm/core';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { toActivityFailure } from '../../activities/errors';
import { createOrderActivities } from '../../activities/order-activities';
import { ProviderHttpError } from '../../src/payments/http-json';
import type { NotificationRequest, OrderActivities } from '../../workflows/order/activity-types';
import { testConfig, testLogger } from '../harness/env';
import { fakeNotifier, fakeProvider, recordingOrm } from './fakes';

// The order activities' own decisions, each run in a MockActivityEnvironment as Temporal would run it, on injected
// fakes: an in-memory provider ledger, a recording notifier, and an ORM that records the one write each makes.
describe('order activities (fake provider, notifier and database)', () => {
  let provider: ReturnType<typeof fakeProvider>;
  let notifications: ReturnType<typeof fakeNotifier>;
  let db: ReturnType<typeof recordingOrm>;
  let activities: OrderActivities;
  /** Runs an activity as its `attempt`-th attempt. */
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => attempt(1, fn, ...args);
  const attempt = <A extends unknown[], R>(n: number, fn: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment({ attempt: n }, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);
  /** The ApplicationFailure an activity threw (what Temporal would see), or fails the test. */
  const failureOf = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  beforeEach(() => {
    provider = fakeProvider();
    notifications = fakeNotifier();
    db = recordingOrm();
    activities = createOrderActivities({ orm: db.orm, config: testConfig(), logger: testLogger(), payments: provider.provider, notifier: notifications.notifier });
  });

  describe('voidOrRefundOrderPayments (the saga’s payment compensation, by order)', () => {
    it('is harmless when no charge was ever created', async () => {
      expect(await run(activities.voidOrRefundOrderPayments, randomUUID(), undefined)).toEqual({ status: 'not_requested' });
      expect(db.statements).toEqual([]);
    });

    it('voids the saga’s pending payment: nothing was charged, nothing to refund', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'pending');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'voided' });
      expect(provider.statusOf(own)).toBe('voided');
      expect(provider.refundKeys).toEqual([]);
      expect(db.refundsMarked()).toEqual([]);
    });

    it('refunds the saga’s succeeded payment once, by its refund key, and marks the order’s payment refunded', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'succeeded');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'refunded' });
      expect(provider.statusOf(own)).toBe('refunded');
      expect(provider.refundKeys).toEqual([`refund:${own}`]);
      expect(db.refundsMarked()).toEqual([[orderId, own]]);
      // again (a retried activity): nothing more happens, the answer is the same
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'refunded' });
      expect(provider.refundKeys).toHaveLength(1);
    });

    it('an operator’s retry after a failed refund asks for a new refund, under the attempt’s own key', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'succeeded');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own, 2)).toEqual({ status: 'refunded' });
      expect(provider.refundKeys).toEqual([`refund:${own}:2`]);
    });

    it('a payment that succeeds between the read and the void (not_voidable) is refunded instead', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'pending');
      provider.beforeVoid.run = (payment) => {
        payment.status = 'succeeded'; // the charge went through while the void was on its way
      };
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'refunded' });
      expect(provider.statusOf(own)).toBe('refunded');
      expect(provider.refundKeys).toEqual([`refund:${own}`]);
      expect(db.refundsMarked()).toEqual([[orderId, own]]);
    });

    it('voids a pending charge whose creation answer was lost, and refunds a succeeded one', async () => {
      const orderId = randomUUID();
      const pending = provider.add(orderId, 'pending');
      const succeeded = provider.add(orderId, 'succeeded');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, undefined)).toEqual({ status: 'not_requested' });
      expect(provider.statusOf(pending)).toBe('voided');
      expect(provider.statusOf(succeeded)).toBe('refunded');
      expect(db.refundsMarked()).toEqual([[orderId, succeeded]]);
    });

    it('leaves payments the saga keeps no claim on as they are: failed and voided ones took no money', async () => {
      const orderId = randomUUID();
      const failed = provider.add(orderId, 'failed');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, failed)).toEqual({ status: 'failed' });
      expect(provider.statusOf(failed)).toBe('failed');
      expect(provider.refundKeys).toEqual([]);
    });

    it('a payment the provider does not know is no proof: payment_not_found, non-retryable', async () => {
      const failure = await failureOf(run(activities.voidOrRefundOrderPayments, randomUUID(), 'pay_unknown'));
      expect(failure).toMatchObject({ type: 'payment_not_found', nonRetryable: true });
      expect(db.statements).toEqual([]);
    });

    it('a refund the provider does not answer as refunded is no proof: refund_failed, and the order is not marked refunded', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'succeeded');
      provider.refundAnswer.status = 'pending';
      const failure = await failureOf(run(activities.voidOrRefundOrderPayments, orderId, own));
      expect(failure).toMatchObject({ type: 'refund_failed', nonRetryable: true });
      expect(db.refundsMarked()).toEqual([]);
    });
  });

  describe('refundPayment (by payment id: the late-payment refund)', () => {
    it('a provider 404 fails with payment_not_found instead of claiming anything', async () => {
      expect(await failureOf(run(activities.refundPayment, randomUUID(), 'pay_gone'))).toMatchObject({ type: 'payment_not_found' });
    });

    it('refundPayment refunds a succeeded payment once', async () => {
      const orderId = randomUUID();
      const id = provider.add(orderId, 'succeeded');
      expect(await run(activities.refundPayment, orderId, id)).toEqual({ status: 'refunded' });
      expect(await run(activities.refundPayment, orderId, id)).toEqual({ status: 'refunded' });
      expect(provider.refundKeys).toEqual([`refund:${id}`]);
    });
  });

  describe('checkPayment (reconciliation)', () => {
    it('answers the provider’s view, or unknown', async () => {
      const orderId = randomUUID();
      const id = provider.add(orderId, 'succeeded');
      expect(await run(activities.checkPayment, id)).toEqual({ status: 'succeeded', amountCents: 1000, currency: 'EUR', failureReason: undefined });
      expect(await run(activities.checkPayment, 'pay_nope')).toEqual({ status: 'unknown' });
    });
  });

  describe('sendNotification', () => {
    const request = (): NotificationRequest => ({ orderId: randomUUID(), kind: 'order_confirmed', to: 'ada@example.com', data: { total: '12.50 EUR' }, maxAttempts: 3 });
    const unavailable = () => new ProviderHttpError({ code: 'unavailable', message: 'notifier down', status: 503, retryable: true });

    it('sends once per order and kind (the idempotency key) and records it SENT with the provider’s id', async () => {
      const req = request();
      expect(await run(activities.sendNotification, req)).toBe('sent');
      expect(notifications.sent).toEqual([{ to: 'ada@example.com', template: 'order_confirmed', data: { total: '12.50 EUR' }, idempotencyKey: `${req.orderId}:order_confirmed` }]);
      expect(db.notificationsRecorded()).toEqual([
        { orderId: req.orderId, kind: 'order_confirmed', idempotencyKey: `${req.orderId}:order_confirmed`, recipient: 'ada@example.com', status: 'SENT', attempts: 1, lastError: null, providerNotificationId: 'ntf_1' },
      ]);
    });

    it('a retryable failure with attempts left is thrown for Temporal to retry, and nothing is recorded yet', async () => {
      notifications.state.failWith = unavailable();
      const req = request();
      // Retryable, under a fixed message (the provider's text stays out of the history: activities/safe-failures.ts).
      const retryable = (type: string) => ({ type, nonRetryable: false, message: SAFE_FAILURES[type as keyof typeof SAFE_FAILURES] });
      await expect(attempt(1, activities.sendNotification, req)).rejects.toMatchObject(retryable('provider_error'));
      await expect(attempt(2, activities.sendNotification, req)).rejects.toMatchObject(retryable('provider_error'));
      // any error that is not the provider's definite answer (network, database) is worth another attempt too
      notifications.state.failWith = new Error('socket hang up');
      await expect(attempt(2, activities.sendNotification, req)).rejects.toMatchObject(retryable('activity_error'));
      expect(db.notificationsRecorded()).toEqual([]);
    });

    it('the failure of the last attempt (maxAttempts) is recorded FAILED for operators, and the order goes on', async () => {
      notifications.state.failWith = unavailable();
      const req = request();
      expect(await attempt(3, activities.sendNotification, req)).toBe('failed');
      expect(db.notificationsRecorded()).toEqual([expect.objectContaining({ orderId: req.orderId, status: 'FAILED', attempts: 3, lastError: 'notifier down', providerNotificationId: null })]);
    });

    it('a definite refusal (a non-retryable provider error) is FAILED at once, without using up the attempts', async () => {
      notifications.state.failWith = new ProviderHttpError({ code: 'invalid_recipient', message: 'no such mailbox', status: 422, retryable: false });
      expect(await attempt(1, activities.sendNotification, request())).toBe('failed');
      expect(notifications.sent).toHaveLength(1);
      expect(db.notificationsRecorded()).toEqual([expect.objectContaining({ status: 'FAILED', attempts: 1, lastError: 'no such mailbox' })]);
    });
  });

  describe('database errors', () => {
    it('a statement the database refuses for good (CHECK, overflow) is non-retryable; a lost connection is retried', () => {
      const check = new CheckConstraintViolationException(Object.assign(new Error('violates check constraint'), { code: '23514' }));
      expect(toActivityFailure(check)).toMatchObject({ type: 'database_rejected', nonRetryable: true });
      const overflow = new DriverException(Object.assign(new Error('integer out of range'), { code: '22003' }));
      expect(toActivityFailure(overflow)).toMatchObject({ type: 'database_rejected', nonRetryable: true });
      const gone = new DriverException(Object.assign(new Error('terminating connection'), { code: '57P01' }));
      expect(toActivityFailure(gone)).toBe(gone);
    });
  });
});
