import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { OrderStatusKey, OrderTotalCentsKey } from '../search-attributes';
import * as act from './activities-proxy';
import type { NotificationKind, StatusChange } from './activity-types';
import type { CancelResult, OrderSagaState, OrderStatus, OrderWorkflowInput, PaymentEvent, PlacementResult, Rejection } from './definitions';
import {
  cancelOrderUpdate,
  NOT_CANCELLABLE,
  NOT_RETRYABLE,
  orderStateQuery,
  paymentEventSignal,
  placeOrderUpdate,
  retryCompensationUpdate,
  TERMINAL_STATUSES,
} from './definitions';

interface Compensation {
  name: string;
  run: () => Promise<unknown>;
}

type PaymentOutcome = { kind: 'succeeded' } | { kind: 'failed'; reason: string } | { kind: 'mismatch'; event: PaymentEvent };
type CancelReason = 'payment_declined' | 'payment_timeout' | 'customer_cancelled';

/**
 * The order saga as it ran before compensations were registered ahead of their steps, webhooks were bound to the
 * saga's own payment and the provider was asked before timing out. Sagas started by that code (no
 * `order-saga-v2` marker in their history) replay and finish on it; new sagas never run it. Kept unchanged, so
 * their histories replay command for command; remove it once no such saga is open.
 */
export async function legacyOrderSaga(input: OrderWorkflowInput): Promise<OrderSagaState> {
  const { orderId } = input;
  const notify = act.notificationStep(input.notifyMaxAttempts);

  let status: OrderStatus = 'PENDING';
  let seq = 0;
  let failureReason: string | undefined;
  let paymentId: string | undefined;
  let paymentStatus = 'not_requested';
  let totalCents = 0;
  let currency = '';
  let placement: Exclude<PlacementResult, { outcome: 'idempotency_key_reused' }> | undefined;
  let placementAnswers = 0;
  let cancelRequest: { reason?: string } | undefined;
  let refunding = false;
  let paymentOutcome: PaymentOutcome | undefined;
  const seenEvents = new Set<string>();
  const compensations: Compensation[] = [];
  let failedCompensations: Compensation[] = [];
  let retryRequested = false;

  const state = (): OrderSagaState => ({
    status,
    failureReason,
    paymentId,
    paymentStatus,
    pendingCompensations: failedCompensations.map((c) => c.name),
  });

  async function setStatus(next: OrderStatus, change: Omit<StatusChange, 'status' | 'seq'> = {}): Promise<void> {
    seq += 1;
    if (change.paymentStatus) paymentStatus = change.paymentStatus;
    if (change.failureReason !== undefined) failureReason = change.failureReason ?? undefined;
    await act.recordOrderStatus(orderId, { ...change, status: next, seq });
    status = next;
    upsertSearchAttributes([{ key: OrderStatusKey, value: next }]);
    setCurrentDetails(describeOrder());
  }

  /** What the Web UI shows as the saga's current details: where it is, for whom, for how much. */
  function describeOrder(): string {
    const total = totalCents > 0 ? `${totalCents} ${currency} minor units` : 'not priced yet';
    return [
      `**Status:** ${status}${failureReason ? ` (${failureReason})` : ''}`,
      `**Customer:** ${input.customerId} <${input.customerEmail}>`,
      `**Total:** ${total}`,
      `**Payment:** ${paymentStatus}${paymentId ? ` (${paymentId})` : ''}`,
      `**Items:** ${input.items.map((i) => `${i.quantity} × ${i.productId}`).join(', ')}`,
    ].join('\n');
  }

  // ---- handlers ---------------------------------------------------------------------------------------------
  setHandler(orderStateQuery, state);

  setHandler(placeOrderUpdate, async ({ requestFingerprint }) => {
    if (requestFingerprint !== input.requestFingerprint) return { outcome: 'idempotency_key_reused' };
    // Every request after the first (a retry, or a concurrent twin) is a replay of the same placement.
    const replayed = placementAnswers++ > 0;
    await condition(() => placement !== undefined);
    return { ...placement!, replayed };
  });

  setHandler(
    cancelOrderUpdate,
    async ({ reason }): Promise<CancelResult> => {
      if (status === 'CANCELLED') return { outcome: 'already_cancelled', status };
      cancelRequest ??= { reason };
      await condition(() => status === 'CANCELLED' || status === 'REFUNDED' || status === 'NEEDS_ATTENTION' || status === 'REJECTED');
      const outcome = status === 'REFUNDED' ? 'refunded' : status === 'NEEDS_ATTENTION' ? 'needs_attention' : 'cancelled';
      return { outcome, status };
    },
    {
      validator: (_request) => {
        if (status === 'CANCELLED') return;
        if (status === 'REJECTED' || status === 'COMPLETED' || status === 'REFUNDED' || status === 'NEEDS_ATTENTION' || refunding) {
          throw ApplicationFailure.create({ type: NOT_CANCELLABLE, message: `an order that is ${refunding ? 'being refunded' : status} cannot be cancelled`, nonRetryable: true });
        }
      },
    },
  );

  setHandler(paymentEventSignal, (event) => {
    if (seenEvents.has(event.eventId)) return; // providers deliver at least once
    seenEvents.add(event.eventId);
    if (paymentOutcome) return; // the first decisive event wins; later ones change nothing
    if (event.type === 'payment.succeeded') {
      const matches = totalCents > 0 && event.amountCents === totalCents && event.currency === currency;
      paymentOutcome = matches ? { kind: 'succeeded' } : { kind: 'mismatch', event };
    } else if (event.type === 'payment.failed') {
      paymentOutcome = { kind: 'failed', reason: event.reason ?? 'payment_failed' };
    }
  });

  setHandler(
    retryCompensationUpdate,
    () => {
      retryRequested = true;
      return { accepted: true as const };
    },
    {
      validator: () => {
        if (status !== 'NEEDS_ATTENTION' || failedCompensations.length === 0) {
          throw ApplicationFailure.create({ type: NOT_RETRYABLE, message: 'the order has no failed compensation to retry', nonRetryable: true });
        }
      },
    },
  );

  // ---- compensation -----------------------------------------------------------------------------------------
  /** Runs `steps` newest first in a scope that cancellation cannot interrupt; returns the ones that failed. */
  async function runCompensations(steps: Compensation[]): Promise<Compensation[]> {
    const failed: Compensation[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const step of [...steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          log.error('compensation failed after its retries', { orderId, step: step.name, error: describe(err) });
          failed.push(step);
        }
      }
    });
    return failed.reverse();
  }

  /** A failed compensation is never dropped: the order waits in NEEDS_ATTENTION until an operator retries it. */
  async function compensateUntilDone(steps: Compensation[], reason: string): Promise<void> {
    failedCompensations = await runCompensations(steps);
    while (failedCompensations.length > 0) {
      await setStatus('NEEDS_ATTENTION', { reason: `compensation_failed:${failedCompensations.map((c) => c.name).join(',')}`, failureReason: reason });
      await condition(() => retryRequested);
      retryRequested = false;
      failedCompensations = await runCompensations(failedCompensations);
    }
  }

  async function cancelOrder(reason: CancelReason, detail?: string): Promise<OrderSagaState> {
    await compensateUntilDone(compensations, reason);
    await setStatus('CANCELLED', { reason, failureReason: detail ?? reason, paymentStatus });
    await sendNotification('order_cancelled', { reason });
    return state();
  }

  async function sendNotification(kind: NotificationKind, data: Record<string, unknown> = {}): Promise<void> {
    try {
      await notify({ orderId, kind, to: input.customerEmail, data: { orderId, totalCents, currency, ...data }, maxAttempts: input.notifyMaxAttempts });
    } catch (err) {
      // A notification must never fail the order; the activity records what it could not send.
      log.warn('notification not sent', { orderId, kind, error: describe(err) });
    }
  }

  // ---- the saga -------------------------------------------------------------------------------------------
  try {
    await act.createOrderRecord({
      orderId,
      workflowId: `order-${orderId}`,
      customerId: input.customerId,
      customerEmail: input.customerEmail,
      items: input.items,
      requestFingerprint: input.requestFingerprint,
      idempotencyKey: input.idempotencyKey,
    });

    // 1. Reserve stock.
    try {
      ({ totalCents, currency } = await act.reserveOrderStock(orderId, input.items));
    } catch (err) {
      const rejection = businessRejection(err);
      if (!rejection) throw err;
      await setStatus('REJECTED', { reason: rejection.code, failureReason: rejection.code, rejection });
      placement = { outcome: 'rejected', replayed: false, rejection };
      return state();
    }
    compensations.push({ name: 'release_stock', run: () => act.releaseOrderStock(orderId) });
    upsertSearchAttributes([{ key: OrderTotalCentsKey, value: totalCents }]);
    await setStatus('RESERVED');

    // 2. Ask the provider to charge. Its idempotency key is the order id: a retried activity never charges twice.
    if (!cancelRequest) {
      try {
        const payment = await act.requestPayment({ orderId, customerId: input.customerId, amountCents: totalCents, currency, token: input.paymentToken });
        paymentId = payment.paymentId;
        compensations.push({
          name: 'void_or_refund_payment',
          run: async () => {
            paymentStatus = (await act.cancelPayment(orderId, payment.paymentId)).status;
          },
        });
        await setStatus('AWAITING_PAYMENT', { paymentStatus: 'pending', providerPaymentId: payment.paymentId });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The provider refused the charge outright (a 4xx), or could not be reached for ~1 minute.
        const refused = businessRejection(err);
        log.warn('payment could not be requested', { orderId, error: describe(err) });
        placement = { outcome: 'accepted', replayed: false };
        return await cancelOrder(refused ? 'payment_declined' : 'payment_timeout', refused ? 'payment_refused' : 'payment_request_failed');
      }
    }
    placement = { outcome: 'accepted', replayed: false };

    // 3. Wait for the provider's verdict, the customer's cancel, or the payment timeout.
    const decided = await condition(() => paymentOutcome !== undefined || cancelRequest !== undefined, input.paymentTimeoutMs, {
      summary: 'Wait for the payment webhook',
    });
    const outcome = paymentOutcome as PaymentOutcome | undefined;
    if (outcome?.kind !== 'succeeded') {
      if (!decided) return await cancelOrder('payment_timeout');
      if (outcome?.kind === 'failed') return await cancelOrder('payment_declined', outcome.reason);
      if (outcome?.kind === 'mismatch') {
        log.error('payment amount or currency differs from the order', { orderId, expected: { totalCents, currency }, got: outcome.event });
        await compensateUntilDone(compensations, 'payment_amount_mismatch');
        await setStatus('NEEDS_ATTENTION', { reason: 'payment_amount_mismatch', failureReason: 'payment_amount_mismatch', paymentStatus });
        return state();
      }
      return await cancelOrder('customer_cancelled');
    }

    // 4. Paid: the reservation becomes a sale; the customer may still cancel within the window (→ refund).
    await act.commitOrderStock(orderId);
    await setStatus('PAID', { paymentStatus: 'succeeded' });
    const confirmation = sendNotification('order_confirmed');
    const cancelled = await condition(() => cancelRequest !== undefined, input.cancelWindowMs, { summary: 'Cancellation window' });
    await confirmation;
    if (!cancelled) {
      await setStatus('COMPLETED');
      return state();
    }
    refunding = true;
    await compensateUntilDone(
      [
        { name: 'restock', run: () => act.restockOrder(orderId) },
        {
          name: 'refund_payment',
          run: async () => {
            paymentStatus = (await act.refundPayment(orderId, paymentId!)).status;
          },
        },
      ],
      'customer_cancelled',
    );
    await setStatus('REFUNDED', { reason: 'customer_cancelled', failureReason: null, paymentStatus });
    await sendNotification('order_refunded');
    return state();
  } catch (err) {
    // Cancelled through Temporal itself (e.g. `temporal workflow cancel`): undo what was done, then report it.
    if (isCancellation(err) && !TERMINAL_STATUSES.includes(status)) {
      placement ??= { outcome: 'rejected', replayed: false, rejection: { code: 'cancelled', message: 'the order was cancelled' } };
      return await CancellationScope.nonCancellable(() => cancelOrder('customer_cancelled'));
    }
    throw err;
  }
}

/** The business rejection carried by a failed activity (non-retryable ApplicationFailure), if that is what it was. */
function businessRejection(err: unknown): Rejection | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type && act.BUSINESS_ERRORS.includes(cause.type)) {
    return { code: cause.type, message: cause.message, details: cause.details?.[0] };
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return `${err.message}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}
