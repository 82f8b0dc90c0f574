import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import { createWorkerMetrics } from '../src/metrics/worker-metrics';
import { orderLogFields } from '../src/orders/log-fields';
import { ProviderHttpError } from '../src/payments/http-json';
import type { PaymentProvider } from '../src/payments/payment-provider';
import type { Carrier } from '../src/shipping/carrier';
import type { LedgerRefund } from '../src/shipping/give-back';
import { expireReturn, findCancellation, findReturn, insertReturn, orderPayment, recordCancellation, recordReceipt } from '../src/shipping/return-store';
import type { StatusWritten } from '../src/shipping/shipment-store';
import { findShipment, recordDispatch, recordShipmentProgress } from '../src/shipping/shipment-store';
import type { FulfilmentActivities, StatusChange } from '../workflows/order/activity-types';
import type { OrderItemRequest } from '../workflows/order/definitions';
import { NOT_RECEIVABLE } from '../workflows/order/definitions';
import { isSettled } from '../workflows/order/state-machine';
import { nonRetryable, toActivityFailure } from './errors';
import { withSafeFailures } from './safe-failures';

export interface FulfilmentActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  payments: PaymentProvider;
  carrier: Carrier;
  metrics?: WorkerMetrics;
}

/** What a refund of units gives back, and under which provider key. */
interface UnitsRefund {
  id: string;
  key: string;
  reason: LedgerRefund['reason'];
  orderId: string;
  amountCents: number;
  items: OrderItemRequest[];
}

/**
 * After payment, for goods that ship (workflows/order/activity-types.ts, FulfilmentActivities). Each activity forks
 * its own EntityManager, asks the carrier or the provider first (under a key that makes a retry answer the same) and
 * then writes its rows and the order's status change in one short transaction; its row says whether the units and
 * the money went back already, so a retry never gives back twice.
 */
export function createFulfilmentActivities({ orm, logger, payments, carrier, metrics = createWorkerMetrics() }: FulfilmentActivityDeps): FulfilmentActivities {
  const em = () => orm.em.fork();

  /** Runs database work; a statement the database refuses for good becomes a non-retryable failure. */
  async function database<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  /** As order-activities' writeStatus: only the call that made a settling change counts it. */
  function statusWritten(orderId: string, change: StatusChange, written: StatusWritten): void {
    if (!written) return;
    logger.info({ ...orderLogFields(orderId), status: change.status, reason: change.reason }, 'order status changed');
    if (written.previousStatus !== change.status && isSettled(change.status)) {
      metrics.ordersFinished.inc({ status: change.status });
      metrics.sagaDuration.observe({ status: change.status }, (Date.now() - written.createdAt.getTime()) / 1000);
    }
  }

  /**
   * Gives the price of units back at the provider (a partial refund of the order's payment, idempotent by `key`).
   * The provider's figure is believed over ours. A refusal fails for good (`refund_failed`): the saga decides.
   */
  async function refundUnits(refund: UnitsRefund): Promise<LedgerRefund> {
    const payment = await database(() => orderPayment(em(), refund.orderId));
    if (!payment?.paymentId) {
      throw nonRetryable('refund_failed', `order ${refund.orderId} has no payment to refund`, { orderId: refund.orderId });
    }
    let answer;
    try {
      answer = await payments.refundPart({ paymentId: payment.paymentId, amountCents: refund.amountCents, currency: payment.currency, idempotencyKey: refund.key });
    } catch (err) {
      if (err instanceof ProviderHttpError && !err.retryable) {
        logger.error({ ...orderLogFields(refund.orderId), refundKey: refund.key, code: err.code }, 'refund of units refused by the provider');
      }
      throw toActivityFailure(err, 'refund_failed');
    }
    if (answer.status === 'failed') {
      logger.error({ ...orderLogFields(refund.orderId), refundKey: refund.key, failure: answer.failureReason }, 'refund of units failed at the provider');
      throw nonRetryable('refund_failed', `the provider refused the refund ${refund.key}`, { failure: answer.failureReason ?? 'refund_failed' });
    }
    return { id: refund.id, key: refund.key, reason: refund.reason, amountCents: answer.amountCents, items: refund.items, providerRefundId: answer.id };
  }

  const activities: FulfilmentActivities = {
    async dispatchShipment({ orderId, shipmentId, items, carrier: carrierName }, change) {
      // Recorded by an earlier attempt: the carrier is not asked again; the status change is finished if it was not.
      let trackingNumber = (await database(() => findShipment(em(), shipmentId)))?.trackingNumber;
      if (trackingNumber === undefined) {
        try {
          ({ trackingNumber } = await carrier.createShipment({ shipmentId, orderId, carrier: carrierName, items }));
        } catch (err) {
          throw toActivityFailure(err, 'carrier_rejected');
        }
      }
      const recorded = await database(() => recordDispatch(em(), { id: shipmentId, orderId, items, carrier: carrierName, trackingNumber }, change));
      statusWritten(orderId, change, recorded.status);
      logger.info({ ...orderLogFields(orderId), shipmentId, carrier: recorded.shipment.carrier }, 'shipment dispatched');
      return recorded.shipment;
    },

    async recordShipmentProgress(orderId, shipmentId, status, at, change) {
      const recorded = await database(() => recordShipmentProgress(em(), orderId, shipmentId, status, at, change));
      if (!recorded) throw nonRetryable('shipment_not_found', `order ${orderId} has no shipment ${shipmentId}`, { orderId, shipmentId });
      if (change) statusWritten(orderId, change, recorded.status);
      logger.info({ ...orderLogFields(orderId), shipmentId, shipmentStatus: recorded.shipment.status }, 'shipment progressed');
      return recorded.shipment;
    },

    async cancelOrderItems(cancellation, change) {
      const { orderId, cancellationId, items, amountCents } = cancellation;
      // A cancellation recorded by an earlier attempt gave back what it gave: only the status change is left to write.
      const earlier = await database(() => findCancellation(em(), cancellationId));
      const refund =
        !earlier && cancellation.refund && amountCents > 0
          ? await refundUnits({ id: cancellationId, key: `cancel:${cancellationId}`, reason: 'items_cancelled', orderId, amountCents, items })
          : undefined;
      const recorded = await database(() => recordCancellation(em(), cancellation, refund, change));
      statusWritten(orderId, change, recorded.status);
      if (recorded.cancelled) logger.info({ ...orderLogFields(orderId), cancellationId, amountCents: recorded.amountCents, refunded: refund !== undefined }, 'order items cancelled');
      return { amountCents: recorded.amountCents };
    },

    async openReturn(opening) {
      const opened = await database(() => insertReturn(em(), opening));
      logger.info({ ...orderLogFields(opening.orderId), returnId: opened.id, refundCents: opened.refundCents }, 'return requested');
      return opened;
    },

    async receiveReturn({ orderId, returnId, items, refundCents }, change) {
      const current = await database(() => findReturn(em(), returnId));
      if (!current || current.orderId !== orderId) throw nonRetryable('return_not_found', `order ${orderId} has no return ${returnId}`, { orderId, returnId });
      if (current.status === 'expired') throw nonRetryable(NOT_RECEIVABLE, `return ${returnId} has expired`, { returnId });
      const refund =
        current.status === 'requested' && refundCents > 0
          ? await refundUnits({ id: returnId, key: `return:${returnId}`, reason: 'return_received', orderId, amountCents: refundCents, items })
          : undefined;
      const recorded = await database(() => recordReceipt(em(), { orderId, returnId, items, refund }, change));
      if (!recorded) throw nonRetryable('return_not_found', `order ${orderId} has no return ${returnId}`, { orderId, returnId });
      statusWritten(orderId, change, recorded.status);
      if (recorded.received) logger.info({ ...orderLogFields(orderId), returnId, refundCents: refund?.amountCents ?? 0 }, 'return received');
      return recorded.orderReturn;
    },

    async expireReturn(orderId, returnId) {
      const expired = await database(() => expireReturn(em(), orderId, returnId));
      if (!expired) throw nonRetryable('return_not_found', `order ${orderId} has no return ${returnId}`, { orderId, returnId });
      if (expired.status === 'expired') logger.info({ ...orderLogFields(orderId), returnId }, 'return expired');
      return expired;
    },
  };
  return withSafeFailures(activities, logger);
}
