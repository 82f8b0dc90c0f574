import type { Context } from 'koa';
import { z } from 'zod';
import type { Logger } from '../../logger';
import { encodeKeysetCursor } from '../../db/keyset-cursor';
import { NotFoundError } from '../../errors';
import { logRequestAsAboutOrder } from '../../orders/log-fields';
import type { OrderCommandDeps } from '../../orders/order-commands';
import { cancelOrder } from '../../orders/order-commands';
import { findOrder, listOrders } from '../../orders/order-queries';
import { toOrderJson } from '../../orders/order-view';
import type { PlacementDeps } from '../../orders/placement';
import { PlacementRejected, placeOrder } from '../../orders/placement';
import {
  cancelOrderBodySchema,
  listOrdersQuerySchema,
  orderIdParamsSchema,
  placeOrderBodySchema,
  placeOrderHeadersSchema,
} from '../../orders/request-schemas';
import { orderJsonSchema, orderPageJsonSchema } from '../../orders/response-schemas';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { defineRoute, json } from '../define-route';
import { countPlacements } from './outcome-metrics';

// Components: named once, so the document says "Order" rather than repeating the shape in every answer.
export const Order = orderJsonSchema.meta({ id: 'Order' });
const OrderPage = orderPageJsonSchema.extend({ items: z.array(Order) }).meta({ id: 'OrderPage' });
const PlaceOrderRequest = placeOrderBodySchema.meta({ id: 'PlaceOrderRequest' });

const replayedHeader = z.object({
  'Idempotent-Replayed': z
    .literal('true')
    .optional()
    .describe('present when this answer repeats an earlier request with the same key and body'),
});
const placedHeaders = replayedHeader.extend({ Location: z.string().describe('/orders/{id}') });

/** The path's order id, lower-cased; from now on the request's log lines name the order. */
export function orderIdOf(ctx: Context, params: { id: string }): string {
  const id = params.id.toLowerCase();
  logRequestAsAboutOrder(ctx, id);
  return id;
}

type OrderDeps = Pick<OrderCommandDeps, 'orm' | 'config'>;
type PlacingDeps = PlacementDeps & { metrics: ApiMetrics; logger: Logger };

export const orderRoutes = [
  defineRoute({
    method: 'post',
    path: '/orders',
    operationId: 'placeOrder',
    auth: 'public',
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'Starts the order saga and answers once the stock reservation is decided (payment goes on asynchronously). ' +
      'With an Idempotency-Key the same key and body always get the same answer, and nothing is reserved or charged twice.',
    request: {
      headers: z.object({
        'Idempotency-Key': placeOrderHeadersSchema.shape['idempotency-key'].describe(
          '1–255 visible ASCII characters. The order id is derived from (customerId, key): retries reach the same order',
        ),
      }),
      body: PlaceOrderRequest,
    },
    responses: {
      201: json('Placed: the order is AWAITING_PAYMENT (or already further along, on a replay)', Order, placedHeaders),
    },
    errors: ['insufficient_stock', 'idempotency_key_reused', 'unknown_product', 'currency_mismatch', 'order_total_too_large', 'unsupported_payment_method', 'service_unavailable'],
    middleware: (deps: PlacingDeps) => [countPlacements(deps.metrics, deps.logger)],
    handler: async ({ headers, body }, ctx, deps: PlacingDeps) => {
      try {
        const { order, replayed } = await placeOrder(deps, body, headers['Idempotency-Key']);
        ctx.state.placement = { orderId: order.id, status: order.status, replayed };
        if (replayed) ctx.set('Idempotent-Replayed', 'true');
        ctx.status = 201;
        ctx.set('Location', `/orders/${order.id}`);
        return order;
      } catch (err) {
        if (err instanceof PlacementRejected) {
          // The rejected order is kept (REJECTED); say where, and whether this answer is a replay.
          ctx.set('Location', `/orders/${err.orderId}`);
          if (err.replayed) ctx.set('Idempotent-Replayed', 'true');
        }
        throw err;
      }
    },
  }),

  defineRoute({
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    auth: 'public',
    tags: ['orders'],
    summary: "List a customer's orders, newest first",
    request: { query: listOrdersQuerySchema },
    responses: { 200: json('One page of orders', OrderPage) },
    errors: ['service_unavailable'],
    handler: async ({ query }, _ctx, { orm, config }: OrderDeps) => {
      const page = await listOrders(orm.em.fork(), {
        customerId: query.customerId,
        status: query.status,
        limit: query.limit,
        after: query.cursor,
      });
      return {
        items: page.items.map(({ order, history }) => toOrderJson(order, history, config)),
        nextCursor: page.more && page.last ? encodeKeysetCursor(page.last) : null,
      };
    },
  }),

  defineRoute({
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getOrder',
    auth: 'public',
    tags: ['orders'],
    summary: 'Get an order',
    request: { params: orderIdParamsSchema },
    resource: 'order',
    responses: { 200: json('The order', Order) },
    errors: ['service_unavailable'],
    handler: async ({ params }, ctx, { orm, config }: OrderDeps) => {
      const id = orderIdOf(ctx, params);
      const found = await findOrder(orm.em.fork(), id);
      if (!found) throw new NotFoundError('order', id);
      return toOrderJson(found.order, found.history, config);
    },
  }),

  defineRoute({
    method: 'post',
    path: '/orders/{id}/cancel',
    operationId: 'cancelOrder',
    auth: 'public',
    tags: ['orders'],
    summary: 'Cancel an order',
    description:
      'Before payment: voids the payment and releases the stock (CANCELLED). After payment, within CANCEL_WINDOW: ' +
      'refunds and restocks (REFUNDED). Answers once compensation is done; an already cancelled order answers 200 unchanged.',
    request: { params: orderIdParamsSchema, body: cancelOrderBodySchema },
    resource: 'order',
    responses: { 200: json('The order after compensation', Order) },
    errors: ['not_cancellable', 'service_unavailable'],
    handler: ({ params, body }, ctx, deps: OrderCommandDeps) => cancelOrder(deps, orderIdOf(ctx, params), body.reason),
  }),
];
