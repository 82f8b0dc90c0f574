import { Context } from '@temporalio/activity';
import pLimit from 'p-limit';
import { commitStock, commitStockAlongside, releaseStock, reserveStock, restockOrder as restockCatalog } from '../src/catalog/stock';
import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import { createWorkerMetrics } from '../src/metrics/worker-metrics';
import { orderLogFields } from '../src/orders/log-fields';
import { recordNotification } from '../src/orders/notification-store';
import type { PricedLines, WriteAlongside } from '../src/orders/order-store';
import {
  flagRefundRefused,
  insertOrder,
  markPaymentRefunded,
  orderTotalCents,
  recordedPaymentId,
  recordStatus,
  restoreEndedAfterRefund,
  setOrderLines,
} from '../src/orders/order-store';
import type { RefundOutcome } from '../src/orders/refund-store';
import { findRefund, restockRefundedLines, settleRefund } from '../src/orders/refund-store';
import { applyDisputeReport } from '../src/orders/dispute-store';
import { ProviderHttpError } from '../src/payments/http-json';
import type { Notifier } from '../src/payments/notifier';
import type { Payment, PaymentProvider } from '../src/payments/payment-provider';
import { AUTHORIZATION_EXPIRED_CODE, PaymentProviderError } from '../src/payments/payment-provider';
import type { OrderActivities, StatusChange } from '../workflows/order/activity-types';
import { PAYMENT_NOT_OF_ORDER } from '../workflows/order/definitions';
import { AUTHORIZATION_EXPIRED, isSettled } from '../workflows/order/state-machine';
import { countCompensations } from './compensation-metrics';
import { nonRetryable, toActivityFailure } from './errors';
import { withSafeFailures } from './safe-failures';
import { plainSqlEm } from '../src/db/plain-sql';
import { currentTraceId } from '../src/telemetry/trace-id';

export interface OrderActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  payments: PaymentProvider;
  notifier: Notifier;
  metrics?: WorkerMetrics;
}

/**
 * One refund per payment, whoever asks (the saga's compensation or the late-webhook refund workflow). A refund the
 * provider reported failed is asked for again under a new key (attempt 2, 3…): the old key would only replay the
 * failed refund's answer.
 */
const refundKey = (paymentId: string, attempt = 1) => (attempt > 1 ? `refund:${paymentId}:${attempt}` : `refund:${paymentId}`);

/**
 * The order saga's activities. Every one is idempotent (Temporal retries them), forks its own EntityManager,
 * and keeps database transactions free of network calls.
 */
export function createOrderActivities({ orm, config, logger, payments, notifier, metrics = createWorkerMetrics() }: OrderActivityDeps): OrderActivities {
  const em = () => orm.em.fork();
  // The statements every order runs through are plain SQL: they share one EntityManager (plain-sql.ts).
  const plain = plainSqlEm(orm);
  // RESERVATION_CONCURRENCY: reservations queue here rather than on a hot product row's lock inside PostgreSQL.
  const reservationSlot = pLimit(config.RESERVATION_CONCURRENCY);

  /** Refunds a succeeded payment; only the provider's answer `refunded` counts as proof that the money went back. */
  async function refund(orderId: string, payment: Payment, attempt?: number): Promise<{ status: string }> {
    if (payment.status === 'refunded') return { status: 'refunded' };
    let refunded: Payment;
    try {
      refunded = await payments.refundPayment(payment.id, refundKey(payment.id, attempt));
    } catch (err) {
      throw toActivityFailure(err, 'refund_failed');
    }
    if (refunded.status !== 'refunded') {
      throw nonRetryable('refund_failed', `the provider answered the refund of ${payment.id} with status ${refunded.status}`, { paymentId: payment.id, status: refunded.status });
    }
    await markPaymentRefunded(em(), orderId, payment.id);
    logger.info({ ...orderLogFields(orderId), paymentId: payment.id }, 'payment refunded');
    return { status: refunded.status };
  }

  /**
   * Money moves back only on a payment of the order that asks: the provider records it for this order (its
   * orderId metadata), or it is the payment this order recorded as its own. Anything else (a webhook naming another
   * order's payment, a provider mix-up) is refused for good, and the order goes to an operator.
   */
  async function mustBelongTo(orderId: string, payment: Payment): Promise<void> {
    if (payment.orderId === orderId) return;
    if ((await database(() => recordedPaymentId(em(), orderId))) === payment.id) return;
    logger.error({ ...orderLogFields(orderId), paymentId: payment.id, paymentOrderId: payment.orderId }, 'refusing to void or refund a payment of another order');
    throw nonRetryable(PAYMENT_NOT_OF_ORDER, 'the payment is not one of this order', { paymentId: payment.id });
  }

  /**
   * Makes sure a payment can never take money, or gives it back: void when pending or authorized (the hold is
   * released: nothing was taken, so nothing is refunded), refund when succeeded.
   */
  async function voidOrRefund(orderId: string, payment: Payment, refundAttempt?: number): Promise<{ status: string }> {
    await mustBelongTo(orderId, payment);
    if (payment.status === 'succeeded' || payment.status === 'refunded') return refund(orderId, payment, refundAttempt);
    if (payment.status !== 'pending' && payment.status !== 'authorized') return { status: payment.status }; // failed or voided: nothing was charged
    try {
      return { status: (await payments.voidPayment(payment.id)).status };
    } catch (err) {
      // It succeeded between our read and the void: refund it instead.
      if (!(err instanceof PaymentProviderError && err.code === 'not_voidable')) throw toActivityFailure(err, 'compensation_rejected');
      const current = await payments.getPayment(payment.id);
      if (!current) throw paymentNotFound(payment.id);
      if (current.status === 'succeeded' || current.status === 'refunded') return refund(orderId, current, refundAttempt);
      return { status: current.status };
    }
  }

  /** Runs one database statement; one the database refuses for good becomes a non-retryable failure. */
  async function database<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  /**
   * Writes a status change and its history row; idempotent by the change's seq, so a retried activity writes it
   * once. Only the call that made the change counts in the metrics; a history note in the same status
   * (refund_confirmed) does not finish the order a second time.
   */
  async function writeStatus(orderId: string, change: StatusChange, priced?: PricedLines, alongside?: WriteAlongside): Promise<void> {
    const changed = await recordStatus(plain, orderId, change, priced, alongside);
    logger.info({ ...orderLogFields(orderId), status: change.status, reason: change.reason }, 'order status changed');
    if (changed && changed.previousStatus !== change.status && isSettled(change.status)) {
      metrics.ordersFinished.inc({ status: change.status });
      metrics.sagaDuration.observe({ status: change.status }, (Date.now() - changed.createdAt.getTime()) / 1000);
    }
  }

  /** Settles an operator's refund with the provider's word; a succeeded one restocks the lines asked for. */
  async function settle(orderId: string, refundId: string, outcome: RefundOutcome): Promise<{ status: string }> {
    const settled = await database(() => settleRefund(em(), orderId, refundId, outcome));
    if (outcome.status === 'succeeded') await database(() => restockRefundedLines(em(), orderId, refundId));
    if (outcome.status === 'failed')
      logger.error({ ...orderLogFields(orderId), refundId, failure: outcome.failure }, 'refund failed at the provider');
    else
      logger.info(
        { ...orderLogFields(orderId), refundId, amountCents: outcome.amountCents, orderStatus: settled?.status },
        'order refunded in part',
      );
    return { status: outcome.status };
  }

  const activities: OrderActivities = {
    async createOrderRecord(order) {
      // The activity runs in the placing request's trace (carried through the workflow): the order keeps its id.
      await insertOrder(plain, order, currentTraceId());
    },

    async reserveOrderStock(orderId, items, reserved) {
      const reservation = await database(() => reservationSlot(() => reserveStock(plain, orderId, items, { maxTotalCents: config.MAX_ORDER_TOTAL_CENTS })));
      const priced = { lines: reservation.lines, currency: reservation.currency };
      // With the RESERVED change (today's sagas pass it) the lines are stored in the status write itself; sagas
      // started before it passed the change write them on their own.
      if (reserved) await writeStatus(orderId, reserved, priced);
      else await database(() => setOrderLines(plain, orderId, priced.lines, priced.currency));
      const lines = reservation.lines.map(({ productId, quantity, unitPriceCents, requiresShipping }) => ({ productId, quantity, unitPriceCents, requiresShipping }));
      return { totalCents: orderTotalCents(reservation.lines), currency: reservation.currency, lines };
    },

    async recordOrderStatus(orderId, change) {
      await writeStatus(orderId, change);
    },

    async requestPayment({ orderId, customerId, amountCents, currency, token, capture }, awaiting) {
      let payment: Payment;
      try {
        // The order id is the provider's idempotency key: however often this runs, there is one charge.
        payment = await payments.createPayment({ orderId, customerId, amountCents, currency, token, idempotencyKey: orderId, ...(capture ? { capture } : {}) });
      } catch (err) {
        throw toActivityFailure(err);
      }
      // Recorded before the saga waits: from here on only this payment's events move the order.
      if (awaiting) await writeStatus(orderId, { ...awaiting, providerPaymentId: payment.id });
      return { paymentId: payment.id, status: payment.status };
    },

    async captureOrderPayment({ orderId, paymentId, amountCents }, captured) {
      let payment: Payment;
      try {
        // One capture per order: a retried activity answers the same capture, never a second one.
        payment = await payments.capturePayment(paymentId, { amountCents, idempotencyKey: `capture:${orderId}` });
      } catch (err) {
        if (err instanceof PaymentProviderError && err.code === AUTHORIZATION_EXPIRED_CODE) {
          logger.warn({ ...orderLogFields(orderId), paymentId }, 'capture refused: the authorization has expired');
          throw nonRetryable(AUTHORIZATION_EXPIRED, `the authorization of payment ${paymentId} has expired`, { paymentId });
        }
        throw toActivityFailure(err, 'capture_rejected');
      }
      if (payment.status !== 'succeeded' && payment.status !== 'refunded') {
        throw nonRetryable('capture_rejected', `the provider answered the capture of ${paymentId} with status ${payment.status}`, { paymentId, status: payment.status });
      }
      // The provider's figure is believed over ours (it may have captured less than asked).
      const capturedCents = payment.capturedCents ?? amountCents;
      await writeStatus(orderId, { ...captured, capturedCents });
      logger.info({ ...orderLogFields(orderId), paymentId, capturedCents, reason: captured.reason }, 'payment captured');
      return { capturedCents };
    },

    // A payment the provider does not know proves nothing: the refund fails rather than claim anything.
    async refundPayment(orderId, paymentId) {
      const payment = await payments.getPayment(paymentId);
      if (!payment) throw paymentNotFound(paymentId);
      return voidOrRefund(orderId, payment);
    },

    async voidOrRefundOrderPayments(orderId, paymentId, refundAttempt) {
      // By order, not by id: a charge whose creation answer was lost is found too, and an order with no charge
      // (the request never reached the provider) has nothing to undo.
      // Only this order's charges: a provider's search may answer more (or, like Stripe's search index, lag behind a
      // charge created seconds ago), so the saga's own payment is looked up by id when the list lacks it.
      const held = (await payments.listPayments(orderId)).filter((p) => p.orderId === orderId || p.id === paymentId);
      // (voidOrRefund refuses any of them that is not this order's.)
      if (paymentId !== undefined && !held.some((p) => p.id === paymentId)) {
        const own = await payments.getPayment(paymentId);
        if (!own) throw paymentNotFound(paymentId);
        held.push(own);
      }
      let own = paymentId === undefined ? 'not_requested' : 'unknown';
      for (const payment of held) {
        const { status } = await voidOrRefund(orderId, payment, refundAttempt);
        if (payment.id === paymentId || (paymentId === undefined && held.length === 1)) own = status;
      }
      return { status: own };
    },

    async restoreOrderAfterRefund(orderId) {
      if (await database(() => restoreEndedAfterRefund(em(), orderId))) logger.info(orderLogFields(orderId), 'refund retried after the saga closed: order restored');
    },

    async flagRefundRefused(orderId, paymentId) {
      if (await database(() => flagRefundRefused(em(), orderId))) logger.error({ ...orderLogFields(orderId), paymentId }, 'late refund refused: order needs attention');
    },

    async checkPayment(paymentId) {
      const payment = await payments.getPayment(paymentId);
      if (!payment) return { status: 'unknown' };
      return { status: payment.status, amountCents: payment.amountCents, currency: payment.currency, failureReason: payment.failureReason };
    },

    async commitOrderStock(orderId, paid) {
      // With the PAID change (today's sagas pass it) the sale is made in the status write's own statement.
      if (paid) await database(() => writeStatus(orderId, paid, undefined, commitStockAlongside(orderId)));
      else await database(() => commitStock(plain, orderId));
    },

    async releaseOrderStock(orderId) {
      await database(() => releaseStock(em(), orderId));
    },

    async restockOrder(orderId) {
      await database(() => restockCatalog(em(), orderId));
    },

    async sendNotification({ orderId, kind, to, data, maxAttempts, about }) {
      // One notification per order and kind; kinds that recur (a shipment, a return) name what they are about.
      const idempotencyKey = about ? `${orderId}:${kind}:${about}` : `${orderId}:${kind}`;
      const { attempt } = Context.current().info;
      const base = { orderId, kind, idempotencyKey, recipient: to, attempt };
      try {
        const sent = await notifier.send({ to, template: kind, data, idempotencyKey });
        await recordNotification(plain, { ...base, status: 'SENT', providerNotificationId: sent.id });
        metrics.notifications.inc({ result: 'sent' });
        return 'sent';
      } catch (err) {
        // Provider errors say whether a retry can help; anything else (network, database) is worth retrying.
        const retryable = err instanceof ProviderHttpError ? err.retryable : true;
        if (retryable && attempt < maxAttempts) {
          metrics.notifications.inc({ result: 'retry' });
          throw err;
        }
        // Out of attempts: record it for operators (GET /admin/notifications?status=failed); the order goes on.
        const error = err instanceof Error ? err.message : String(err);
        await recordNotification(em(), { ...base, status: 'FAILED', error });
        metrics.notifications.inc({ result: 'failed' });
        logger.error({ ...orderLogFields(orderId), kind, attempt, err: error }, 'notification failed for good');
        return 'failed';
      }
    },

    async refundOrderPart(orderId, refundId) {
      const found = await findRefund(em(), orderId, refundId);
      if (!found)
        throw nonRetryable('refund_not_found', `order ${orderId} has no refund ${refundId}`, { orderId, refundId });
      const { refund, paymentId, currency } = found;
      if (refund.status !== 'pending') {
        // Settled by an earlier attempt that ended before its restock: finish it.
        if (refund.status === 'succeeded') await database(() => restockRefundedLines(em(), orderId, refundId));
        return { status: refund.status };
      }
      if (!paymentId) return settle(orderId, refundId, { status: 'failed', failure: 'no_payment' });
      let outcome: RefundOutcome;
      try {
        const answer = await payments.refundPart({
          paymentId,
          amountCents: refund.amountCents,
          currency,
          idempotencyKey: `refund:${paymentId}:${refund.id}`,
        });
        // The provider's answer is believed over ours: the amount it gave back, or its refusal.
        outcome =
          answer.status === 'failed'
            ? { status: 'failed', failure: answer.failureReason ?? 'refund_failed', providerRefundId: answer.id }
            : { status: 'succeeded', amountCents: answer.amountCents, providerRefundId: answer.id };
      } catch (err) {
        if (!(err instanceof ProviderHttpError) || err.retryable) throw err; // network, 5xx: Temporal retries
        outcome = { status: 'failed', failure: err.code };
      }
      return settle(orderId, refundId, outcome);
    },

    abandonOrderRefund(orderId, refundId) {
      return settle(orderId, refundId, { status: 'failed', failure: 'provider_unreachable' });
    },

    async applyDisputeEvent(orderId, event) {
      const applied = await database(() =>
        applyDisputeReport(em(), orderId, {
          disputeId: event.disputeId,
          status: event.status,
          amountCents: event.amountCents,
          reason: event.reason,
        }),
      );
      if (!applied) throw nonRetryable('order_not_found', `no order ${orderId}`, { orderId });
      const { dispute } = applied;
      if (applied.opened) metrics.disputes.inc({ outcome: 'opened' });
      if (applied.closed) metrics.disputes.inc({ outcome: dispute.status });
      if (applied.opened || applied.closed)
        logger.info(
          { ...orderLogFields(orderId), disputeId: dispute.id, disputeStatus: dispute.status, status: applied.orderStatus },
          'order disputed',
        );
      return {
        opened: applied.opened,
        closed: applied.closed,
        disputeStatus: dispute.status,
        orderStatus: applied.orderStatus,
        amountCents: dispute.amountCents,
        customerEmail: applied.customerEmail,
      };
    },
  };
  return countCompensations(withSafeFailures(activities, logger), metrics);
}

function paymentNotFound(paymentId: string) {
  return nonRetryable('payment_not_found', `the provider does not know payment ${paymentId}`, { paymentId });
}
