import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { NotFoundError } from '../errors';
import { isUuid } from '../uuid';
import { plainQuery, plainSqlEm } from '../db/plain-sql';
import type { WebhookEvent } from '../wire/webhook-event';
import { isDisputeEventType } from '../wire/webhook-event';
import { deliverDisputeEvent } from './deliver-dispute';
import type { OrderStatus, PaymentEvent } from '../../workflows/order/definitions';
import { orderWorkflowId, paymentEventSignal, refundWorkflowId } from '../../workflows/order/definitions';
import { endedUnpaid } from '../../workflows/order/state-machine';
import type { refundLatePaymentWorkflow } from '../../workflows/refund';
import { flagRefundFailed } from '../orders/order-store';
import { isClosedWorkflow } from '../orders/temporal-errors';

/** What the service did with a verified payment event. */
export const DELIVERIES = ['signalled', 'refund_started', 'needs_attention', 'ignored'] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** What delivering a payment event uses. */
export interface PaymentEventDeps {
  temporal: Client;
  orm: Orm;
  logger: Logger;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'NOTIFY_MAX_ATTEMPTS'>;
}

/**
 * Hands a verified webhook to the order's saga as a signal (the saga ignores duplicates by event id, and refunds a
 * success for any payment but its own). When the saga has already closed, a success for an order that ended
 * unpaid, or for a payment that is not the order's own, starts a refund workflow (`refund-{paymentId}`, so it runs
 * once however often the provider redelivers); a refund of the order's own payment that failed after the order was
 * cancelled or refunded puts the order in NEEDS_ATTENTION (`refund_failed`); anything else late is acknowledged and
 * ignored. A dispute event goes to its dispute's workflow instead (deliver-dispute.ts).
 */
export async function deliverPaymentEvent(deps: PaymentEventDeps, event: WebhookEvent): Promise<Delivery> {
  if (isDisputeEventType(event.type)) return deliverDisputeEvent(deps, event);
  const type = event.type;
  const { orderId, paymentId } = event.data;
  if (!isUuid(orderId)) throw new NotFoundError('order', orderId);
  const id = orderId.toLowerCase();

  const signal: PaymentEvent = {
    eventId: event.id,
    type,
    paymentId,
    amountCents: event.data.amountCents,
    currency: event.data.currency,
    reason: event.data.reason,
  };
  // The saga first, with no read before it: an open saga is where almost every event goes, and it checks the event
  // against its own payment itself. Only when it cannot be reached is the order row asked what the event means.
  try {
    await deps.temporal.workflow.getHandle(orderWorkflowId(id)).signal(paymentEventSignal, signal);
    return 'signalled';
  } catch (err) {
    if (!isClosedWorkflow(err)) throw err;
  }
  const order = await findPaymentTarget(deps.orm, id);
  if (!order) throw new NotFoundError('order', orderId);

  // The service never keeps money without a PAID order: a success for an order that ended unpaid, or for another
  // payment than the one its saga made, is refunded. refund-{paymentId} runs once per payment, and its activity asks
  // the provider first, so an already refunded payment is left alone.
  const strayPayment = paymentId !== order.providerPaymentId;
  if (event.type === 'payment.refund_failed') {
    // The order claims the money went back, and the provider says it did not: no claim stands without proof.
    deps.logger.error({ orderId: order.id, workflowId: orderWorkflowId(order.id), paymentId, status: order.status }, 'refund failed after the order closed');
    return !strayPayment && (await flagRefundFailed(deps.orm.em.fork(), order.id, paymentId)) ? 'needs_attention' : 'ignored';
  }
  // An authorization (manual capture) the order does not keep is released the same way: the refund voids a hold.
  const moneyHeld = event.type === 'payment.succeeded' || event.type === 'payment.authorized';
  if (!moneyHeld || !(endedUnpaid(order.status) || strayPayment)) return 'ignored';
  deps.logger.warn({ orderId: order.id, workflowId: orderWorkflowId(order.id), paymentId, status: order.status }, 'late payment success: refunding');
  try {
    await deps.temporal.workflow.start<typeof refundLatePaymentWorkflow>('refundLatePaymentWorkflow', {
      workflowId: refundWorkflowId(paymentId),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ orderId: order.id, paymentId }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Refund late payment ${paymentId} of cancelled order ${order.id.slice(0, 8)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return 'refund_started';
}

/** What deciding a payment event needs of its order: one row of plain SQL, read once per webhook. */
async function findPaymentTarget(
  orm: Orm,
  id: string,
): Promise<{ id: string; status: OrderStatus; providerPaymentId: string | null } | undefined> {
  const [row] = await plainQuery<{ id: string; status: OrderStatus; providerPaymentId: string | null }>(
    plainSqlEm(orm),
    `SELECT id, status, provider_payment_id AS "providerPaymentId" FROM orders WHERE id = $1`,
    [id],
  );
  return row;
}
