import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { OrderActivities, StatusChange } from '../../workflows/order/activity-types';
import type { OrderWorkflowInput, PaymentEvent } from '../../workflows/order/definitions';

/**
 * In-memory stand-ins for the order activities, for workflow unit tests: they record every call and can be told to
 * reject a reservation or fail a compensation.
 */
export function fakeOrderActivities(options: { totalCents?: number; rejectWith?: string; failCompensation?: { step: keyof OrderActivities; times: number } } = {}) {
  const calls: { name: string; args: unknown[] }[] = [];
  const statuses: StatusChange[] = [];
  let compensationFailuresLeft = options.failCompensation?.times ?? 0;
  const record = (name: string, args: unknown[]) => calls.push({ name, args });
  const maybeFail = (name: keyof OrderActivities) => {
    if (options.failCompensation?.step === name && compensationFailuresLeft > 0) {
      compensationFailuresLeft -= 1;
      throw ApplicationFailure.nonRetryable(`${name} is down`, 'provider_down');
    }
  };

  const activities: OrderActivities = {
    async createOrderRecord(...args) {
      record('createOrderRecord', args);
    },
    async reserveOrderStock(...args) {
      record('reserveOrderStock', args);
      if (options.rejectWith) {
        throw ApplicationFailure.create({ type: options.rejectWith, message: 'not enough stock', nonRetryable: true, details: [[{ productId: 'p1', requested: 5, available: 1 }]] });
      }
      return { totalCents: options.totalCents ?? 2500, currency: 'EUR' };
    },
    async recordOrderStatus(orderId, change) {
      record('recordOrderStatus', [orderId, change]);
      statuses.push(change);
    },
    async requestPayment(...args) {
      record('requestPayment', args);
      return { paymentId: 'pay_test', status: 'pending' };
    },
    async cancelPayment(...args) {
      record('cancelPayment', args);
      maybeFail('cancelPayment');
      return { status: 'voided' };
    },
    async refundPayment(...args) {
      record('refundPayment', args);
      maybeFail('refundPayment');
      return { status: 'refunded' };
    },
    async commitOrderStock(...args) {
      record('commitOrderStock', args);
    },
    async releaseOrderStock(...args) {
      record('releaseOrderStock', args);
      maybeFail('releaseOrderStock');
    },
    async restockOrder(...args) {
      record('restockOrder', args);
      maybeFail('restockOrder');
    },
    async sendNotification(request) {
      record('sendNotification', [request]);
      return 'sent';
    },
  };
  return {
    activities,
    calls,
    statuses,
    names: () => calls.map((c) => c.name),
    notifications: () => calls.filter((c) => c.name === 'sendNotification').map((c) => (c.args[0] as { kind: string }).kind),
  };
}

/** The provider's success webhook for the fake activities' order (total 2500 EUR, payment pay_test). */
export const paymentSucceeded = (overrides: Partial<PaymentEvent> = {}): PaymentEvent => ({
  eventId: `evt_${randomUUID()}`,
  type: 'payment.succeeded',
  paymentId: 'pay_test',
  amountCents: 2500,
  currency: 'EUR',
  ...overrides,
});

/** A saga input with short timers, for tests and recorded histories. */
export const orderInput = (overrides: Partial<OrderWorkflowInput> = {}): OrderWorkflowInput => ({
  orderId: randomUUID(),
  customerId: 'cust-1',
  customerEmail: 'c@example.com',
  items: [{ productId: '00000000-0000-4000-8000-000000000001', quantity: 1 }],
  paymentToken: 'tok_visa',
  requestFingerprint: 'fp-1',
  paymentTimeoutMs: 10_000,
  cancelWindowMs: 300,
  notifyMaxAttempts: 2,
  ...overrides,
});
