import type { WorkflowHandle } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, NotFoundError } from '../errors';
import type { OrderItemRequest, OrderReturn, Shipment } from '../../workflows/order/definitions';
import {
  dispatchShipmentUpdate,
  markShipmentDeliveredUpdate,
  NOT_DELIVERABLE,
  NOT_RECEIVABLE,
  NOT_RETURNABLE,
  NOT_SHIPPABLE,
  orderWorkflowId,
  receiveReturnUpdate,
  requestReturnUpdate,
} from '../../workflows/order/definitions';
import { isShippable } from '../../workflows/order/state-machine';
import { DEFAULT_CARRIER } from '../shipping/carrier';
import { findReturn } from '../shipping/return-store';
import { findShipment } from '../shipping/shipment-store';
import type { DispatchShipmentBody, RequestReturnBody } from './fulfilment-schemas';
import type { OrderCommandDeps } from './order-commands';
import { findOrder } from './order-queries';
import type { OrderActor } from './ownership';
import { maySee } from './ownership';
import { orderPartIdFor } from './request-identity';
import { isClosedWorkflow, updateRefusal } from './temporal-errors';

/**
 * The warehouse's, the carrier's and the customer's requests after payment, each carried to the order's saga as an
 * update (workflows/order/fulfilment.ts), whose validator refuses what cannot be done before anything is written.
 * A shipment's and a return's id derive from the request's Idempotency-Key and are the update's id too, so a
 * retried request answers the same shipment or return, never a second one; the same key with another body is 409.
 */

const em = (deps: OrderCommandDeps): EntityManager => deps.orm.em.fork();
const saga = (deps: OrderCommandDeps, orderId: string): WorkflowHandle => deps.temporal.workflow.getHandle(orderWorkflowId(orderId));

/** The saga's refusal as the API's error (its type is the code); anything else goes on as it is. */
function asDomainError(err: unknown): unknown {
  const refusal = updateRefusal(err);
  return refusal ? new DomainError(refusal.type, refusal.message) : err;
}

/** Units in a canonical order, to tell "the same request" apart from another one under the same key. */
const sameUnits = (a: readonly OrderItemRequest[], b: readonly OrderItemRequest[]) => {
  const key = (items: readonly OrderItemRequest[]) =>
    items
      .map((i) => `${i.productId.toLowerCase()}×${i.quantity}`)
      .sort()
      .join(',');
  return key(a) === key(b);
};

const keyReused = () => new DomainError('idempotency_key_reused', 'this Idempotency-Key was used with a different request body');

export interface Answer<T> {
  value: T;
  replayed: boolean;
}

/** POST /admin/orders/{id}/shipments: the saga books the carrier and ships the units (capturing first, if manual). */
export async function dispatchShipment(deps: OrderCommandDeps, orderId: string, body: DispatchShipmentBody, idempotencyKey: string): Promise<Answer<Shipment>> {
  const found = await findOrder(em(deps), orderId);
  if (!found) throw new NotFoundError('order', orderId);
  const shipmentId = orderPartIdFor('shipment', orderId, idempotencyKey);
  const request = { items: body.items, carrier: body.carrier ?? DEFAULT_CARRIER };
  const matches = (s: Shipment) => sameUnits(s.items, request.items) && s.carrier === request.carrier;
  const earlier = await findShipment(em(deps), shipmentId);
  if (earlier) {
    if (!matches(earlier)) throw keyReused();
    return { value: earlier, replayed: true };
  }
  if (!isShippable(found.order.status)) throw notShippable(found.order.status);
  let shipment: Shipment;
  try {
    shipment = await saga(deps, orderId).executeUpdate(dispatchShipmentUpdate, { updateId: `shipment-${shipmentId}`, args: [{ shipmentId, ...request }] });
  } catch (err) {
    if (isClosedWorkflow(err)) throw notShippable((await findOrder(em(deps), orderId))?.order.status ?? found.order.status);
    throw asDomainError(err);
  }
  // A concurrent twin of this request with another body was answered first (the update id is the key's).
  if (!matches(shipment)) throw keyReused();
  return { value: shipment, replayed: false };
}

function notShippable(status: string) {
  return new DomainError(NOT_SHIPPABLE, `an order that is ${status} cannot be shipped`, { status });
}

/** POST /admin/shipments/{id}/delivered: a delivery recorded by hand; again for a delivered shipment answers it. */
export async function markShipmentDelivered(deps: OrderCommandDeps, shipmentId: string): Promise<Shipment> {
  const shipment = await findShipment(em(deps), shipmentId);
  if (!shipment) throw new NotFoundError('shipment', shipmentId);
  if (shipment.status === 'delivered') return shipment;
  try {
    return await saga(deps, shipment.orderId).executeUpdate(markShipmentDeliveredUpdate, { args: [{ shipmentId }] });
  } catch (err) {
    const now = await findShipment(em(deps), shipmentId);
    if (now?.status === 'delivered') return now; // the carrier's webhook came first
    if (isClosedWorkflow(err) || updateRefusal(err)) {
      throw new DomainError(NOT_DELIVERABLE, `shipment ${shipmentId} cannot be marked delivered: its order is no longer waiting for it`);
    }
    throw err;
  }
}

/** POST /orders/{id}/returns: the customer sends delivered units back, within the return window. */
export async function requestReturn(
  deps: OrderCommandDeps,
  orderId: string,
  actor: OrderActor,
  body: RequestReturnBody,
  idempotencyKey: string | undefined,
): Promise<Answer<OrderReturn>> {
  const found = await findOrder(em(deps), orderId);
  if (!found || !maySee(actor, found.order)) throw new NotFoundError('order', orderId);
  const returnId = orderPartIdFor('return', orderId, idempotencyKey);
  const matches = (r: OrderReturn) => sameUnits(r.items, body.items) && r.reason === body.reason;
  const earlier = await findReturn(em(deps), returnId);
  if (earlier) {
    if (!matches(earlier)) throw keyReused();
    return { value: withoutOwner(earlier), replayed: true };
  }
  const notReturnable = (status: string) => new DomainError(NOT_RETURNABLE, `an order that is ${status} cannot be returned`, { status });
  if (found.order.status !== 'DELIVERED') throw notReturnable(found.order.status);
  let orderReturn: OrderReturn;
  try {
    orderReturn = await saga(deps, orderId).executeUpdate(requestReturnUpdate, { updateId: `return-${returnId}`, args: [{ returnId, items: body.items, reason: body.reason }] });
  } catch (err) {
    if (isClosedWorkflow(err)) throw notReturnable((await findOrder(em(deps), orderId))?.order.status ?? found.order.status);
    throw asDomainError(err);
  }
  if (!matches(orderReturn)) throw keyReused();
  return { value: orderReturn, replayed: false };
}

/** POST /admin/returns/{id}/receive: what came back is restocked and refunded; again for a received one answers it. */
export async function receiveReturn(deps: OrderCommandDeps, returnId: string, items: OrderItemRequest[] | undefined): Promise<OrderReturn> {
  const orderReturn = await findReturn(em(deps), returnId);
  if (!orderReturn) throw new NotFoundError('return', returnId);
  if (orderReturn.status === 'received') return withoutOwner(orderReturn);
  const notReceivable = (status: string) => new DomainError(NOT_RECEIVABLE, `return ${returnId} is ${status}: it cannot be received`, { status });
  if (orderReturn.status !== 'requested') throw notReceivable(orderReturn.status);
  try {
    return await saga(deps, orderReturn.orderId).executeUpdate(receiveReturnUpdate, { args: [{ returnId, ...(items ? { items } : {}) }] });
  } catch (err) {
    const now = await findReturn(em(deps), returnId);
    if (now?.status === 'received') return withoutOwner(now);
    if (isClosedWorkflow(err)) throw notReceivable(now?.status ?? orderReturn.status);
    throw asDomainError(err);
  }
}

function withoutOwner({ customerId: _customerId, ...orderReturn }: OrderReturn & { customerId?: string }): OrderReturn {
  return orderReturn;
}
