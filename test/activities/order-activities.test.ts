import { randomUUID } from 'node:crypto';
import { CheckConstraintViolationException, DriverException } from '@mikro-orm/core';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { toActivityFailure } from '../../activities/errors';
import { createOrderActivities } from '../../activities/order-activities';
import type { Orm } from '../../src/db/orm';
import type { Notifier } from '../../src/payments/notifier';
import type { Payment, PaymentProvider } from '../../src/payments/payment-provider';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import type { OrderActivities } from '../../workflows/order/activity-types';
import { makeProduct, stockOf } from '../catalog/fixtures';
import { testConfig, testLogger, testOrm } from '../harness/env';

/** An in-memory provider ledger: just enough of a payment service provider for the compensation activities. */
function fakeProvider() {
  const ledger = new Map<string, Payment>();
  const refundAnswer: { status?: Payment['status'] } = {};
  const provider: PaymentProvider = {
    acceptsPaymentMethod: () => true,
    async createPayment(input) {
      const payment: Payment = { id: `pay_${randomUUID()}`, status: 'pending', orderId: input.orderId, customerId: input.customerId, amountCents: input.amountCents, currency: input.currency };
      ledger.set(payment.id, payment);
      return { ...payment };
    },
    async getPayment(id) {
      const p = ledger.get(id);
      return p && { ...p };
    },
    async listPayments(orderId) {
      return [...ledger.values()].filter((p) => p.orderId === orderId).map((p) => ({ ...p }));
    },
    async voidPayment(id) {
      const p = ledger.get(id)!;
      if (p.status === 'succeeded') throw new PaymentProviderError({ code: 'not_voidable', message: 'succeeded', status: 409, retryable: false });
      if (p.status === 'pending') p.status = 'voided';
      return { ...p };
    },
    async refundPayment(id) {
      const p = ledger.get(id)!;
      if (p.status !== 'succeeded' && p.status !== 'refunded') throw new PaymentProviderError({ code: 'not_refundable', message: p.status, status: 409, retryable: false });
      p.status = refundAnswer.status ?? 'refunded';
      return { ...p };
    },
  };
  const add = (orderId: string, status: Payment['status']) => {
    const payment: Payment = { id: `pay_${randomUUID()}`, status, orderId, customerId: 'c', amountCents: 1000, currency: 'EUR' };
    ledger.set(payment.id, payment);
    return payment.id;
  };
  return { provider, ledger, add, refundAnswer };
}

// The order activities against the test database, with the payment provider faked in memory; each runs in a
// MockActivityEnvironment, as Temporal would run it.
describe('order activities', () => {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  let orm: Orm;
  let provider: ReturnType<typeof fakeProvider>;
  let activities: OrderActivities;
  const notifier = { send: async () => ({ id: 'ntf' }) } as unknown as Notifier;
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args);
  /** The ApplicationFailure an activity threw (what Temporal would see), or fails the test. */
  const failureOf = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  beforeAll(async () => {
    orm = await testOrm();
  });
  beforeEach(() => {
    provider = fakeProvider();
    activities = createOrderActivities({ orm, config: testConfig({ MAX_ORDER_TOTAL_CENTS: '100000' }), logger: testLogger(), payments: provider.provider, notifier });
  });
  afterAll(async () => {
    await orm?.close();
  });

  describe('voidOrRefundOrderPayments (the saga’s payment compensation, by order)', () => {
    it('is harmless when no charge was ever created', async () => {
      expect(await run(activities.voidOrRefundOrderPayments, randomUUID(), undefined)).toEqual({ status: 'not_requested' });
    });

    it('voids a pending charge whose creation answer was lost, and refunds a succeeded one', async () => {
      const orderId = randomUUID();
      const pending = provider.add(orderId, 'pending');
      const succeeded = provider.add(orderId, 'succeeded');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, undefined)).toEqual({ status: 'not_requested' });
      expect(provider.ledger.get(pending)!.status).toBe('voided');
      expect(provider.ledger.get(succeeded)!.status).toBe('refunded');
    });

    it('answers the status of the saga’s own payment', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'succeeded');
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'refunded' });
      // again: nothing more happens, the answer is the same
      expect(await run(activities.voidOrRefundOrderPayments, orderId, own)).toEqual({ status: 'refunded' });
    });

    it('a payment the provider does not know is no proof: payment_not_found, non-retryable', async () => {
      const failure = await failureOf(run(activities.voidOrRefundOrderPayments, randomUUID(), 'pay_unknown'));
      expect(failure).toMatchObject({ type: 'payment_not_found', nonRetryable: true });
    });

    it('a refund the provider does not answer as refunded is no proof: refund_failed', async () => {
      const orderId = randomUUID();
      const own = provider.add(orderId, 'succeeded');
      provider.refundAnswer.status = 'pending';
      const failure = await failureOf(run(activities.voidOrRefundOrderPayments, orderId, own));
      expect(failure).toMatchObject({ type: 'refund_failed', nonRetryable: true });
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

  describe('reserveOrderStock', () => {
    it('a total above MAX_ORDER_TOTAL_CENTS is a non-retryable order_total_too_large, and nothing is reserved', async () => {
      const product = await makeProduct(orm, { priceCents: 60_000, stock: 5 });
      const orderId = randomUUID();
      await run(activities.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'c', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
      const failure = await failureOf(run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 2 }]));
      expect(failure).toMatchObject({ type: 'order_total_too_large', nonRetryable: true });
      expect(await stockOf(orm, product.id)).toMatchObject({ on_hand: 5, reserved: 0 });
      // at the limit it is fine
      expect(await run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 1 }])).toEqual({ totalCents: 60_000, currency: 'EUR' });
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
