import { Context } from '@temporalio/activity';
import pLimit from 'p-limit';
import { commitStock, releaseStock, reserveStock, restockOrder as restockCatalog } from '../src/catalog/stock';
import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import { createWorkerMetrics } from '../src/metrics/worker-metrics';
import { orderLogFields } from '../src/orders/log-fields';
import { recordNotification } from '../src/orders/notification-store';
import { insertOrder, markPaymentRefunded, recordStatus, setOrderLines } from '../src/orders/order-store';
import { ProviderHttpError } from '../src/payments/http-json';
import type { Notifier } from '../src/payments/notifier';
import type { Payment, PaymentProvider } from '../src/payments/payment-provider';
import { PaymentProviderError } from '../src/payments/payment-provider';
import type { OrderActivities } from '../workflows/order/activity-types';
import { countCompensations } from './compensation-metrics';
import { toActivityFailure } from './errors';

export interface OrderActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  payments: PaymentProvider;
  notifier: Notifier;
  metrics?: WorkerMetrics;
}

/** Statuses after which the order is done, or stuck until an operator acts: they stop the saga_duration clock. */
const FINISHING = new Set(['COMPLETED', 'CANCELLED', 'REFUNDED', 'REJECTED', 'NEEDS_ATTENTION']);

/** One refund per payment, whoever asks (the saga's compensation or the late-webhook refund workflow). */
const refundKey = (paymentId: string) => `refund:${paymentId}`;

/**
 * The order saga's activities. Every one is idempotent (Temporal retries them), forks its own EntityManager,
 * and keeps database transactions free of network calls.
 */
export function createOrderActivities({ orm, config, logger, payments, notifier, metrics = createWorkerMetrics() }: OrderActivityDeps): OrderActivities {
  const em = () => orm.em.fork();
  // RESERVATION_CONCURRENCY: reservations queue here rather than on a hot product row's lock inside PostgreSQL.
  const reservationSlot = pLimit(config.RESERVATION_CONCURRENCY);

  async function refund(orderId: string, payment: Payment): Promise<{ status: string }> {
    if (payment.status === 'refunded') return { status: 'refunded' };
    const refunded = await payments.refundPayment(payment.id, refundKey(payment.id));
    await markPaymentRefunded(em(), orderId);
    logger.info({ ...orderLogFields(orderId), paymentId: payment.id }, 'payment refunded');
    return { status: refunded.status };
  }

  const activities: OrderActivities = {
    async createOrderRecord(order) {
      await insertOrder(em(), order);
    },

    async reserveOrderStock(orderId, items) {
      try {
        const reservation = await reservationSlot(() => reserveStock(em(), orderId, items));
        const totalCents = await setOrderLines(em(), orderId, reservation.lines, reservation.currency);
        return { totalCents, currency: reservation.currency };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    async recordOrderStatus(orderId, change) {
      const changed = await recordStatus(em(), orderId, change);
      logger.info({ ...orderLogFields(orderId), status: change.status, reason: change.reason }, 'order status changed');
      // Only the call that made the change counts: a retried or replayed one finds the status already written.
      if (changed && FINISHING.has(change.status)) {
        metrics.ordersFinished.inc({ status: change.status });
        metrics.sagaDuration.observe({ status: change.status }, (Date.now() - changed.createdAt.getTime()) / 1000);
      }
    },

    async requestPayment({ orderId, customerId, amountCents, currency, token }) {
      try {
        // The order id is the provider's idempotency key: however often this runs, there is one charge.
        const payment = await payments.createPayment({ orderId, customerId, amountCents, currency, token, idempotencyKey: orderId });
        return { paymentId: payment.id, status: payment.status };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    async cancelPayment(orderId, paymentId) {
      const payment = await payments.getPayment(paymentId);
      if (!payment) return { status: 'unknown' };
      if (payment.status === 'pending') {
        try {
          return { status: (await payments.voidPayment(paymentId)).status };
        } catch (err) {
          // It succeeded between our read and the void: refund it instead.
          if (!(err instanceof PaymentProviderError && err.code === 'not_voidable')) throw toActivityFailure(err, 'compensation_rejected');
          const current = await payments.getPayment(paymentId);
          if (current?.status === 'succeeded' || current?.status === 'refunded') return refund(orderId, current);
          return { status: current?.status ?? 'unknown' };
        }
      }
      if (payment.status === 'succeeded' || payment.status === 'refunded') return refund(orderId, payment);
      return { status: payment.status }; // failed or voided: nothing was charged
    },

    async refundPayment(orderId, paymentId) {
      const payment = await payments.getPayment(paymentId);
      if (!payment) return { status: 'unknown' };
      if (payment.status === 'succeeded' || payment.status === 'refunded') return refund(orderId, payment);
      if (payment.status === 'pending') return { status: (await payments.voidPayment(paymentId)).status };
      return { status: payment.status };
    },

    async commitOrderStock(orderId) {
      await commitStock(em(), orderId);
    },

    async releaseOrderStock(orderId) {
      await releaseStock(em(), orderId);
    },

    async restockOrder(orderId) {
      await restockCatalog(em(), orderId);
    },

    async sendNotification({ orderId, kind, to, data, maxAttempts }) {
      const idempotencyKey = `${orderId}:${kind}`;
      const { attempt } = Context.current().info;
      const base = { orderId, kind, idempotencyKey, recipient: to, attempt };
      try {
        const sent = await notifier.send({ to, template: kind, data, idempotencyKey });
        await recordNotification(em(), { ...base, status: 'SENT', providerNotificationId: sent.id });
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
  };
  return countCompensations(activities, metrics);
}
