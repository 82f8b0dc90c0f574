import type { Context } from 'koa';
import { z } from 'zod';
import type { Logger } from '../../logger';
import { encodeKeysetCursor } from '../../db/keyset-cursor';
import { NotFoundError } from '../../errors';
import type { OrderCommandDeps } from '../../orders/order-commands';
import { cancelOrder } from '../../orders/order-commands';
import { findOrder, listOrders } from '../../orders/order-queries';
import { toOrderJson } from '../../orders/order-view';
import { listedCustomer, maySee, placingFor } from '../../orders/ownership';
import type { PlacementAnswer, PlacementDeps } from '../../orders/placement';
import { PlacementRefused, PlacementRejected, placeOrder } from '../../orders/placement';
import { rateLimitHeaders } from '../../orders/rate-limit-headers';
import {
  cancelOrderBodySchema,
  listOrdersQuerySchema,
  orderIdParamsSchema,
  placeOrderBodySchema,
  placeOrderHeadersSchema,
} from '../../orders/request-schemas';
import { orderJsonSchema, orderPageJsonSchema } from '../../orders/response-schemas';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { json } from '../../http/route';
import { defineRoute } from '../route';
import type { InflightGate } from '../../inflight-gate';
import { logRequestAsAboutOrder } from '../log-order';
import { countPlacements } from './outcome-metrics';

// Components: named once, so the document says "Order" rather than repeating the shape in every answer.
export const Order = orderJsonSchema.meta({ id: 'Order' });
const OrderPage = orderPageJsonSchema.extend({ items: z.array(Order) }).meta({ id: 'OrderPage' });
const PlaceOrderRequest = placeOrderBodySchema.meta({ id: 'PlaceOrderRequest' });

/** The header of an answer that repeats an earlier one (the same Idempotency-Key and body). */
export const replayedHeader = z.object({
  'Idempotent-Replayed': z
    .literal('true')
    .optional()
    .describe('present when this answer repeats an earlier request with the same key and body'),
});
const rateLimitResponseHeaders = z.object({
  'RateLimit-Policy': z.string().describe('the quotas, e.g. `"customer";q=5;w=60, "email";q=5;w=60` (new orders per 60 s)'),
  RateLimit: z.string().describe('what is left of each quota and in how many seconds it resets, e.g. `"customer";r=4;t=60, "email";r=4;t=60`'),
});
const placedHeaders = replayedHeader.extend({ Location: z.string().describe('/orders/{id}') }).extend(rateLimitResponseHeaders.shape);
const retryAfter = z.object({ 'Retry-After': z.string().describe('seconds') });
/** A 429/503 refusal: the error body, when to retry and (for 429) the quotas. */
const refusal = (description: string, codes: [string, ...string[]], headers: z.ZodObject) => ({
  description,
  content: { 'application/json': { schema: z.object({ error: z.enum(codes), message: z.string() }) } },
  headers: headers.extend(retryAfter.shape),
});

/** Who may place, read and cancel orders: a customer (their own) or support staff (any). */
export type OrderRouteDeps = {
  /** This process's cap on placements in flight (MAX_INFLIGHT_PLACEMENTS). */
  placementGate: InflightGate;
};

/** The answer's headers: where the order is, whether this repeats an earlier answer, the rate quotas. */
function setPlacementHeaders(ctx: Context, answer: Pick<PlacementAnswer, 'replayed' | 'rateLimit'> & { orderId: string }) {
  ctx.set('Location', `/orders/${answer.orderId}`);
  if (answer.replayed) ctx.set('Idempotent-Replayed', 'true');
  if (answer.rateLimit) ctx.set(rateLimitHeaders(answer.rateLimit));
}

/** The path's order id, lower-cased; from now on the request's log lines name the order. */
export function orderIdOf(ctx: Context, params: { id: string }): string {
  const id = params.id.toLowerCase();
  logRequestAsAboutOrder(ctx, id);
  return id;
}

type OrderDeps = Pick<OrderCommandDeps, 'orm' | 'config'>;
type PlacingDeps = PlacementDeps & OrderRouteDeps & { metrics: ApiMetrics; logger: Logger };

export const orderRoutes = [
  defineRoute({
    method: 'post',
    path: '/orders',
    operationId: 'placeOrder',
    auth: 'customerOrAdmin',
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'Starts the order saga and answers once the stock reservation is decided (payment goes on asynchronously), or ' +
      'after PLACEMENT_DEADLINE with 202 and the order as it stands (poll `Location`). With an Idempotency-Key the same ' +
      'key and body always get the same answer, and nothing is reserved or charged twice. The customer is the token\'s ' +
      'subject (support staff with the admin token name one in the body). Limits per customer and per email ' +
      '(ORDER_RATE_LIMIT_PER_MINUTE, MAX_OPEN_ORDERS_PER_CUSTOMER) answer 429; a server with MAX_INFLIGHT_PLACEMENTS ' +
      'placements in flight answers 503 `overloaded` at once. Retries of one Idempotency-Key count once.',
    request: {
      headers: z.object({
        'Idempotency-Key': placeOrderHeadersSchema.shape['idempotency-key'].describe(
          "1–255 visible ASCII characters. The order id is derived from (the token's subject, key): retries reach the same order",
        ),
      }),
      body: PlaceOrderRequest,
    },
    responses: {
      201: json('Placed: the order is AWAITING_PAYMENT (a free order, total 0: PAID with payment not_required; or already further along, on a replay)', Order, placedHeaders),
      202: json(
        'Accepted: the reservation was not decided within PLACEMENT_DEADLINE; the saga goes on. The order as it stands ' +
          '(PENDING, unpriced items until reserved); poll `Location`',
        Order,
        placedHeaders,
      ),
      429: refusal(
        '`rate_limited`: more than ORDER_RATE_LIMIT_PER_MINUTE new orders in 60 s for this customer or email; ' +
          '`too_many_open_orders`: MAX_OPEN_ORDERS_PER_CUSTOMER orders await payment; `unpaid_units_exceeded`: the ' +
          'customer would hold more than MAX_UNPAID_UNITS_PER_CUSTOMER units in orders awaiting payment. Nothing was reserved.',
        ['rate_limited', 'too_many_open_orders', 'unpaid_units_exceeded'],
        rateLimitResponseHeaders,
      ),
    },
    errors: [
      'forbidden',
      'insufficient_stock',
      'purchase_limit_exceeded',
      'idempotency_key_reused',
      'unknown_product',
      'currency_mismatch',
      'order_total_too_large',
      'unsupported_payment_method',
      'overloaded',
      'service_unavailable',
    ],
    middleware: (deps: PlacingDeps) => [countPlacements(deps.metrics, deps.logger)],
    handler: async ({ headers, body, principal }, ctx, deps: PlacingDeps) => {
      const { customerId, customerEmail, verifiedEmail } = placingFor(principal, body);
      try {
        const answer = await placeOrder(
          deps,
          { customerId, customerEmail, verifiedEmail, body, idempotencyKey: headers['Idempotency-Key'] },
          { gate: deps.placementGate },
        );
        ctx.state.placement = { orderId: answer.order.id, status: answer.order.status, replayed: answer.replayed, decided: answer.decided };
        setPlacementHeaders(ctx, { ...answer, orderId: answer.order.id });
        ctx.status = answer.decided ? 201 : 202;
        return answer.order;
      } catch (err) {
        // The rejected order is kept (REJECTED): say where, and whether this answer is a replay.
        if (err instanceof PlacementRejected) setPlacementHeaders(ctx, err);
        if (err instanceof PlacementRefused) {
          ctx.set('Retry-After', String(err.retryAfterSeconds));
          if (err.rateLimit) ctx.set(rateLimitHeaders(err.rateLimit));
        }
        throw err;
      }
    },
  }),

  defineRoute({
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    auth: 'customerOrAdmin',
    tags: ['orders'],
    summary: "List the caller's orders (support staff: any customer's), newest first",
    description:
      "A customer sees their own orders; `customerId` may name them, naming anyone else is 403. The admin token lists " +
      'the orders of the customer `customerId` names (required then).',
    request: { query: listOrdersQuerySchema },
    responses: { 200: json('One page of orders', OrderPage) },
    errors: ['forbidden', 'service_unavailable'],
    handler: async ({ query, principal }, _ctx, { orm, config }: OrderDeps) => {
      const page = await listOrders(orm.em.fork(), {
        customerId: listedCustomer(principal, query.customerId),
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
    auth: 'customerOrAdmin',
    tags: ['orders'],
    summary: 'Get an order',
    description: "A customer's own order; another customer's is 404, as if it did not exist. Support staff: any order.",
    request: { params: orderIdParamsSchema },
    resource: 'order',
    responses: { 200: json('The order', Order) },
    errors: ['service_unavailable'],
    handler: async ({ params, principal }, ctx, { orm, config }: OrderDeps) => {
      const id = orderIdOf(ctx, params);
      const found = await findOrder(orm.em.fork(), id);
      if (!found || !maySee(principal, found.order)) throw new NotFoundError('order', id);
      return toOrderJson(found.order, found.history, config);
    },
  }),

  defineRoute({
    method: 'post',
    path: '/orders/{id}/cancel',
    operationId: 'cancelOrder',
    auth: 'customerOrAdmin',
    tags: ['orders'],
    summary: 'Cancel an order',
    description:
      'Before payment: voids the payment and releases the stock (CANCELLED). After payment, within CANCEL_WINDOW: ' +
      'refunds and restocks (REFUNDED); an order with goods that ship can be cancelled until its first dispatch, ' +
      'whatever CANCEL_WINDOW says. With `items`: only those undispatched units of lines that ship (PAID or ' +
      'PARTIALLY_SHIPPED): their stock goes back and their price is refunded (or, under manual capture before the ' +
      'first dispatch, never captured); the rest of the order goes on. Units already dispatched → 409 ' +
      '`not_cancellable`; more units than the order has → 422 `quantity_exceeds_order`. ' +
      'Answers once compensation is done; an already cancelled order answers 200 unchanged. ' +
      "A customer cancels only their own orders (another customer's is 404); support staff any.",
    request: { params: orderIdParamsSchema, body: cancelOrderBodySchema },
    resource: 'order',
    responses: { 200: json('The order after compensation', Order) },
    errors: ['not_cancellable', 'order_disputed', 'quantity_exceeds_order', 'service_unavailable'],
    handler: ({ params, body, principal }, ctx, deps: OrderCommandDeps) => cancelOrder(deps, orderIdOf(ctx, params), principal, body.reason, body.items),
  }),
];
