import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { FulfilmentActivities, OrderActivities, PaymentCheck, StatusChange } from '../../workflows/order/activity-types';
import type { OrderReturn, OrderWorkflowInput, PaymentEvent, PricedLine, Shipment } from '../../workflows/order/definitions';

export interface FakeOptions {
  totalCents?: number;
  rejectWith?: string;
  /** The named activity fails (non-retryably, with `type`) this many times. */
  failCompensation?: { step: keyof OrderActivities; times: number; type?: string };
  /** What the provider answers when the saga asks about its payment at the timeout (default: still pending). */
  check?: PaymentCheck;
  /** requestPayment: the provider refuses (4xx) or cannot be reached. */
  requestPaymentFails?: 'refused' | 'unreachable';
  /** reserveOrderStock takes this long (a cancel can arrive meanwhile). */
  reserveDelayMs?: number;
  /** The id the provider gives the saga's payment (default pay_test). */
  paymentId?: string;
  /** A forward step the database refuses for good. */
  databaseRejects?: 'reserveOrderStock' | 'commitOrderStock';
  /** refundPayment answers only once this settles (the saga that started the refund can close meanwhile). */
  refundPaymentWaitsFor?: Promise<unknown>;
  /** Manual capture: the provider refuses the capture, the authorization's hold having lapsed. */
  captureExpired?: boolean;
  /** The priced lines the reservation answers (goods that ship); absent, none (as before shipping existed). */
  lines?: PricedLine[];
  /** dispatchShipment: the carrier cannot be reached (non-retryably, for the test). */
  carrierDown?: boolean;
}

/**
 * In-memory stand-ins for the order activities, for workflow unit tests: they record every call and can be told to
 * reject a reservation, fail a compensation, answer a reconciliation or refuse a payment request.
 */
export function fakeOrderActivities(options: FakeOptions = {}) {
  const calls: { name: string; args: unknown[] }[] = [];
  const statuses: StatusChange[] = [];
  const disputes = new Map<string, 'open' | 'won' | 'lost'>();
  let compensationFailuresLeft = options.failCompensation?.times ?? 0;
  // Tests wait on these (a call made, a status recorded) instead of polling the clock.
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  const wake = () => {
    for (const w of [...waiters]) {
      if (!w.done()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const waitFor = (done: () => boolean) => (done() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ done, resolve })));
  const record = (name: string, args: unknown[]) => {
    calls.push({ name, args });
    wake();
  };
  const maybeFail = (name: keyof OrderActivities) => {
    if (options.failCompensation?.step === name && compensationFailuresLeft > 0) {
      compensationFailuresLeft -= 1;
      throw ApplicationFailure.nonRetryable(`${name} is down`, options.failCompensation.type ?? 'provider_down');
    }
  };
  const maybeRejected = (name: keyof OrderActivities) => {
    if (options.databaseRejects === name) throw ApplicationFailure.nonRetryable('the database refused the statement (SQLSTATE 23514)', 'database_rejected');
  };

  // Every status change, whichever activity wrote it (its own step, or recordOrderStatus for the endings).
  const writeStatus = (orderId: string, change: StatusChange) => {
    statuses.push(change);
    record('recordOrderStatus', [orderId, change]);
  };

  const shipments = new Map<string, Shipment>();
  const returns = new Map<string, OrderReturn>();
  // Goods that ship: the carrier and the stores, in memory, idempotent by id like the real ones.
  const fulfilment: FulfilmentActivities = {
    async dispatchShipment(request, change) {
      record('dispatchShipment', [request, change]);
      if (options.carrierDown) throw ApplicationFailure.nonRetryable('the carrier is down', 'carrier_unavailable');
      const shipment = shipments.get(request.shipmentId) ?? {
        id: request.shipmentId,
        orderId: request.orderId,
        status: 'dispatched' as const,
        items: request.items,
        carrier: request.carrier,
        trackingNumber: `SIM-${shipments.size + 1}${request.carrier === 'lost-in-transit' ? '-lost' : ''}`,
        dispatchedAt: new Date().toISOString(),
      };
      shipments.set(shipment.id, shipment);
      writeStatus(request.orderId, change);
      return shipment;
    },
    async recordShipmentProgress(orderId, shipmentId, status, at, change) {
      record('recordShipmentProgress', [orderId, shipmentId, status, at, change]);
      const shipment = { ...shipments.get(shipmentId)!, status, ...(status === 'delivered' ? { deliveredAt: at } : {}) };
      shipments.set(shipmentId, shipment);
      if (change) writeStatus(orderId, change);
      return shipment;
    },
    async cancelOrderItems(cancellation, change) {
      record('cancelOrderItems', [cancellation, change]);
      writeStatus(cancellation.orderId, change);
      return { amountCents: cancellation.amountCents };
    },
    async openReturn(opening) {
      record('openReturn', [opening]);
      const orderReturn: OrderReturn = returns.get(opening.returnId) ?? {
        id: opening.returnId,
        orderId: opening.orderId,
        status: 'requested',
        items: opening.items,
        reason: opening.reason,
        refundCents: opening.refundCents,
        requestedAt: new Date().toISOString(),
      };
      returns.set(orderReturn.id, orderReturn);
      return orderReturn;
    },
    async receiveReturn(receipt, change) {
      record('receiveReturn', [receipt, change]);
      const orderReturn: OrderReturn = { ...returns.get(receipt.returnId)!, status: 'received', receivedItems: receipt.items, receivedAt: new Date().toISOString() };
      returns.set(orderReturn.id, orderReturn);
      writeStatus(receipt.orderId, change);
      return orderReturn;
    },
    async expireReturn(orderId, returnId) {
      record('expireReturn', [orderId, returnId]);
      const orderReturn: OrderReturn = { ...returns.get(returnId)!, status: 'expired' };
      returns.set(returnId, orderReturn);
      return orderReturn;
    },
  };

  const activities: OrderActivities & FulfilmentActivities = {
    ...fulfilment,
    async createOrderRecord(...args) {
      record('createOrderRecord', args);
    },
    async reserveOrderStock(...args) {
      record('reserveOrderStock', args);
      if (options.reserveDelayMs) await new Promise((r) => setTimeout(r, options.reserveDelayMs));
      maybeRejected('reserveOrderStock');
      if (options.rejectWith) {
        throw ApplicationFailure.create({ type: options.rejectWith, message: 'not enough stock', nonRetryable: true, details: [[{ productId: 'p1', requested: 5, available: 1 }]] });
      }
      record('reserved', args);
      // the step writes its own status once the reservation is made, like the real activity
      const [orderId, , reserved] = args;
      if (reserved) writeStatus(orderId, reserved);
      const totalCents = options.lines ? options.lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0) : (options.totalCents ?? 2500);
      return { totalCents, currency: 'EUR', ...(options.lines ? { lines: options.lines } : {}) };
    },
    async recordOrderStatus(orderId, change) {
      writeStatus(orderId, change);
    },
    async requestPayment(...args) {
      record('requestPayment', args);
      if (options.requestPaymentFails === 'refused') throw ApplicationFailure.nonRetryable('invalid token', 'payment_rejected');
      if (options.requestPaymentFails === 'unreachable') throw ApplicationFailure.nonRetryable('provider unreachable', 'provider_down');
      const paymentId = options.paymentId ?? 'pay_test';
      const [orderId, awaiting] = [args[0].orderId, args[1]];
      if (awaiting) writeStatus(orderId, { ...awaiting, providerPaymentId: paymentId });
      return { paymentId, status: 'pending' };
    },
    async refundOrderPart(...args) {
      record('refundOrderPart', args);
      return { status: 'succeeded' };
    },
    async abandonOrderRefund(...args) {
      record('abandonOrderRefund', args);
      return { status: 'failed' };
    },
    // A dispute kept like the dispute store keeps it: opened once, closed once, whatever order the events come in.
    async applyDisputeEvent(...args) {
      record('applyDisputeEvent', args);
      const [, event] = args;
      const known = disputes.get(event.disputeId);
      const opened = !known;
      const closed = event.status !== 'open' && (!known || known === 'open');
      const now = closed ? event.status : (known ?? 'open');
      disputes.set(event.disputeId, now);
      return {
        opened,
        closed,
        disputeStatus: now,
        orderStatus: now === 'open' ? 'DISPUTED' : now === 'lost' ? 'CHARGED_BACK' : 'COMPLETED',
        amountCents: event.amountCents,
        customerEmail: 'c1@example.com',
      };
    },
    async refundPayment(...args) {
      record('refundPayment', args);
      await options.refundPaymentWaitsFor;
      maybeFail('refundPayment');
      return { status: 'refunded' };
    },
    async voidOrRefundOrderPayments(...args) {
      record('voidOrRefundOrderPayments', args);
      maybeFail('voidOrRefundOrderPayments');
      // The provider's view: a succeeded payment is refunded, a pending one voided, none requested stays so.
      const names = calls.map((c) => c.name);
      if (!names.includes('requestPayment') || options.requestPaymentFails) return { status: 'not_requested' };
      // Under manual capture the money is taken only by a capture: an authorized hold is voided.
      const manual = calls.some((c) => c.name === 'requestPayment' && (c.args[0] as { capture?: string }).capture === 'manual');
      const captured = manual ? names.includes('captured') : names.includes('commitOrderStock');
      const succeeded = captured || options.check?.status === 'succeeded';
      return { status: succeeded ? 'refunded' : 'voided' };
    },
    async captureOrderPayment(...args) {
      record('captureOrderPayment', args);
      if (options.captureExpired) throw ApplicationFailure.nonRetryable('the authorization has expired', 'authorization_expired');
      const [request, captured] = args;
      record('captured', args);
      writeStatus(request.orderId, { ...captured, capturedCents: request.amountCents });
      return { capturedCents: request.amountCents };
    },
    async restoreOrderAfterRefund(...args) {
      record('restoreOrderAfterRefund', args);
    },
    async flagRefundRefused(...args) {
      record('flagRefundRefused', args);
    },
    async checkPayment(...args) {
      record('checkPayment', args);
      return options.check ?? { status: 'pending', amountCents: options.totalCents ?? 2500, currency: 'EUR' };
    },
    async commitOrderStock(...args) {
      record('commitOrderStock', args);
      maybeRejected('commitOrderStock');
      const [orderId, paid] = args;
      if (paid) writeStatus(orderId, paid);
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
    /** Resolves once the saga has recorded `status` (with `reason`, when given). */
    reached: (status: string, reason?: string) => waitFor(() => statuses.some((s) => s.status === status && (reason === undefined || s.reason === reason))),
    /** Resolves once the named activity has been called `times` times. */
    called: (name: string, times = 1) => waitFor(() => calls.filter((c) => c.name === name).length >= times),
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
