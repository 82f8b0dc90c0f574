import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { DomainError, NotFoundError } from '../errors';
import type { OrderItemRequest } from '../../workflows/order/definitions';
import {
  cancelOrderUpdate,
  captureOrderUpdate,
  NOT_CANCELLABLE,
  NOT_CAPTURABLE,
  orderWorkflowId,
  QUANTITY_EXCEEDS_ORDER,
  retryCompensationUpdate,
} from '../../workflows/order/definitions';
import { AUTHORIZATION_EXPIRED } from '../../workflows/order/state-machine';
import { isCancellable, isShippable } from '../../workflows/order/state-machine';
import { findOrder } from './order-queries';
import type { OrderActor } from './ownership';
import { maySee } from './ownership';
import type { OrderJson, OrderViewConfig } from './order-view';
import { toOrderJson } from './order-view';
import { retryRefundOfClosedSaga } from './refund-retry';
import { orderDisputed } from './refund-rules';
import { isClosedWorkflow, updateRefusal } from './temporal-errors';

/** What the order commands use: the saga (updates) and the order rows (answers). */
export interface OrderCommandDeps {
  temporal: Client;
  orm: Orm;
  config: OrderViewConfig & Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
}

async function currentOrder(deps: OrderCommandDeps, orderId: string, actor?: OrderActor): Promise<OrderJson> {
  const found = await findOrder(deps.orm.em.fork(), orderId);
  if (!found || (actor && !maySee(actor, found.order))) throw new NotFoundError('order', orderId);
  return toOrderJson(found.order, found.history, deps.config);
}

function notCancellable(status: string) {
  return new DomainError(NOT_CANCELLABLE, `an order that is ${status} cannot be cancelled`, { status });
}

/**
 * Cancels through the saga's `cancelOrder` update, which answers once compensation is done (void + release before
 * payment, refund + restock after). An already cancelled order answers 200 unchanged; a DISPUTED one is 409
 * `order_disputed`. Someone else's order is not found, for a customer. With `items`, only those undispatched units of
 * an order with goods that ship (PAID or PARTIALLY_SHIPPED) go; the rest of the order goes on.
 */
export async function cancelOrder(
  deps: OrderCommandDeps,
  orderId: string,
  actor: OrderActor,
  reason?: string,
  items?: OrderItemRequest[],
): Promise<OrderJson> {
  const before = await currentOrder(deps, orderId, actor);
  if (before.status === 'CANCELLED') return before;
  // Checked before the saga is asked: the saga (in its cancel window) does not know about the dispute.
  if (before.status === 'DISPUTED') throw orderDisputed(orderId, 'cancelled');
  if (!(items ? isShippable(before.status) : isCancellable(before.status))) throw notCancellable(before.status);
  try {
    await deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(cancelOrderUpdate, { args: [{ reason, ...(items ? { items } : {}) }] });
  } catch (err) {
    const refusal = updateRefusal(err);
    if (refusal?.type === NOT_CANCELLABLE || refusal?.type === QUANTITY_EXCEEDS_ORDER) throw new DomainError(refusal.type, refusal.message);
    if (!isClosedWorkflow(err)) throw err;
    // The saga closed between our read and the update: its final status decides.
    const after = await currentOrder(deps, orderId);
    if (after.status === 'CANCELLED') return after;
    throw notCancellable(after.status);
  }
  return currentOrder(deps, orderId);
}

/**
 * An operator re-runs the failed compensations of a NEEDS_ATTENTION order: the saga's own, while it runs; once it
 * has closed, a refund the provider reported failed afterwards is asked for anew by a workflow of its own.
 */
export async function retryCompensation(deps: OrderCommandDeps, orderId: string): Promise<OrderJson> {
  const before = await currentOrder(deps, orderId);
  const notRetryable = () => new DomainError('not_retryable', `order ${orderId} (${before.status}) has no failed compensation to retry`);
  try {
    await deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(retryCompensationUpdate);
  } catch (err) {
    if (updateRefusal(err)) throw notRetryable();
    if (!isClosedWorkflow(err)) throw err;
    if (!(await retryRefundOfClosedSaga({ ...deps, em: deps.orm.em.fork() }, orderId))) throw notRetryable();
  }
  return currentOrder(deps, orderId);
}

/**
 * An operator captures a manual-capture order's authorized payment now (until shipments call this step, the way an
 * order with goods to ship is captured). Only a PAID order whose payment is `authorized` has anything to capture
 * (409 `not_capturable`); a hold that had lapsed is 409 `authorization_expired`, and its saga cancels the order.
 */
export async function captureOrder(deps: OrderCommandDeps, orderId: string): Promise<OrderJson> {
  const before = await currentOrder(deps, orderId);
  const notCapturable = () =>
    new DomainError(NOT_CAPTURABLE, `order ${orderId} (${before.status}, payment ${before.payment.status}) has no authorized payment to capture`, {
      status: before.status,
      paymentStatus: before.payment.status,
    });
  if (before.status !== 'PAID' || before.payment.status !== 'authorized') throw notCapturable();
  let outcome: string;
  try {
    ({ outcome } = await deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(captureOrderUpdate));
  } catch (err) {
    if (updateRefusal(err) || isClosedWorkflow(err)) throw notCapturable();
    throw err;
  }
  if (outcome === AUTHORIZATION_EXPIRED) {
    throw new DomainError(AUTHORIZATION_EXPIRED, `the authorization of order ${orderId} had expired: the order is cancelled`);
  }
  if (outcome !== 'captured') throw notCapturable();
  return currentOrder(deps, orderId);
}
