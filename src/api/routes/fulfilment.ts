import type { Context } from 'koa';
import { z } from 'zod';
import type { OrderCommandDeps } from '../../orders/order-commands';
import type { Answer } from '../../orders/fulfilment-commands';
import { dispatchShipment, markShipmentDelivered, receiveReturn, requestReturn } from '../../orders/fulfilment-commands';
import {
  dispatchShipmentBodySchema,
  dispatchShipmentHeadersSchema,
  receiveReturnBodySchema,
  requestReturnBodySchema,
  requestReturnHeadersSchema,
  returnIdParamsSchema,
  returnJsonSchema,
  shipmentIdParamsSchema,
  shipmentJsonSchema,
} from '../../orders/fulfilment-schemas';
import { orderIdParamsSchema } from '../../orders/request-schemas';
import { json } from '../../http/route';
import { defineRoute } from '../route';
import { orderIdOf, replayedHeader } from './orders';

export const Shipment = shipmentJsonSchema.meta({ id: 'Shipment' });
export const Return = returnJsonSchema.meta({ id: 'Return' });


/** 201 with the created thing; a replay of the same key says so. */
function created<T>(ctx: Context, { value, replayed }: Answer<T>): T {
  ctx.status = 201;
  if (replayed) ctx.set('Idempotent-Replayed', 'true');
  return value;
}

/**
 * After payment, for goods that ship: the warehouse dispatches and receives returns (admin token), an operator
 * records a delivery by hand (admin token), the customer cancels undispatched units (POST /orders/{id}/cancel) and
 * asks for returns (their own orders; support staff any).
 */
export const fulfilmentRoutes = [
  defineRoute({
    method: 'post',
    path: '/admin/orders/{id}/shipments',
    operationId: 'dispatchShipment',
    auth: 'admin',
    tags: ['shipping'],
    summary: 'Dispatch units of a paid order (the warehouse)',
    description:
      'The saga books the carrier (a tracking number), captures the payment at the first dispatch under manual capture ' +
      '(for the whole order less units cancelled), and the order becomes PARTIALLY_SHIPPED, or SHIPPED once every unit ' +
      'that ships has left; the customer is notified (`order_shipped`). More than is left to ship → 422 ' +
      '`quantity_exceeds_order`; an order that is not PAID or PARTIALLY_SHIPPED → 409 `not_shippable`. The same ' +
      'Idempotency-Key answers the same shipment (`Idempotent-Replayed: true`); with another body it is 409.',
    request: {
      params: orderIdParamsSchema,
      headers: z.object({ 'Idempotency-Key': dispatchShipmentHeadersSchema.shape['idempotency-key'].describe('1–255 visible ASCII characters; one shipment per key') }),
      body: dispatchShipmentBodySchema,
    },
    resource: 'order',
    responses: { 201: json('The shipment, dispatched', Shipment, replayedHeader) },
    errors: ['idempotency_key_reused', 'not_shippable', 'quantity_exceeds_order', 'service_unavailable'],
    handler: async ({ params, headers, body }, ctx, deps: OrderCommandDeps) =>
      created(ctx, await dispatchShipment(deps, orderIdOf(ctx, params), body, headers['Idempotency-Key'])),
  }),

  defineRoute({
    method: 'post',
    path: '/admin/shipments/{id}/delivered',
    operationId: 'markShipmentDelivered',
    auth: 'admin',
    tags: ['shipping'],
    summary: 'Record a delivery by hand (a carrier without webhooks)',
    description:
      'As the carrier’s `shipment.delivered` webhook would: when every shipment is delivered the order becomes ' +
      'DELIVERED and its RETURN_WINDOW starts. A delivered shipment answers 200 unchanged; one whose order no longer ' +
      'waits for it (overdue, closed) → 409 `not_deliverable`.',
    request: { params: shipmentIdParamsSchema },
    resource: 'shipment',
    responses: { 200: json('The shipment, delivered', Shipment) },
    errors: ['not_deliverable', 'service_unavailable'],
    handler: ({ params }, _ctx, deps: OrderCommandDeps) => markShipmentDelivered(deps, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/orders/{id}/returns',
    operationId: 'requestReturn',
    auth: 'customerOrAdmin',
    tags: ['shipping'],
    summary: 'Ask to return delivered units',
    description:
      'While the order is DELIVERED and within RETURN_WINDOW → 201 with the return `requested` and what its units are ' +
      'worth (`refundCents`); they are refunded once the warehouse receives them. Otherwise → 409 `not_returnable`; ' +
      'more than delivered less already returned → 422 `quantity_exceeds_order`. A customer returns only their own ' +
      "orders (another customer's is 404); support staff any. With an Idempotency-Key, a retry answers the same return.",
    request: {
      params: orderIdParamsSchema,
      headers: z.object({ 'Idempotency-Key': requestReturnHeadersSchema.shape['idempotency-key'].describe('optional; one return per key') }),
      body: requestReturnBodySchema,
    },
    resource: 'order',
    responses: { 201: json('The return, requested', Return, replayedHeader) },
    errors: ['idempotency_key_reused', 'not_returnable', 'quantity_exceeds_order', 'service_unavailable'],
    handler: async ({ params, headers, body, principal }, ctx, deps: OrderCommandDeps) =>
      created(ctx, await requestReturn(deps, orderIdOf(ctx, params), principal, body, headers['Idempotency-Key'])),
  }),

  defineRoute({
    method: 'post',
    path: '/admin/returns/{id}/receive',
    operationId: 'receiveReturn',
    auth: 'admin',
    tags: ['shipping'],
    summary: 'Record what came back of a return (the warehouse)',
    description:
      'The received units (default: all the return asked for) go back in stock and their price is refunded through ' +
      'the payments ledger; the customer is notified (`return_received`). Everything sold came back → the order is ' +
      'REFUNDED; else it stays DELIVERED (or COMPLETED) with `payment.status` `partially_refunded`. A received return ' +
      'answers 200 unchanged; an expired one → 409 `not_receivable`; more than the return asked → 422.',
    request: { params: returnIdParamsSchema, body: receiveReturnBodySchema },
    resource: 'return',
    responses: { 200: json('The return, received', Return) },
    errors: ['not_receivable', 'quantity_exceeds_order', 'service_unavailable'],
    handler: ({ params, body }, _ctx, deps: OrderCommandDeps) => receiveReturn(deps, params.id, body.items),
  }),
];
