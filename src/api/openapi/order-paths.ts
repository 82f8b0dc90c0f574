import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  notificationJsonSchema,
  orderJsonSchema,
  orderPageJsonSchema,
  webhookAckJsonSchema,
} from '../../orders/response-schemas';
import {
  cancelOrderBodySchema,
  listOrdersQuerySchema,
  notificationsQuerySchema,
  orderIdParamsSchema,
  placeOrderBodySchema,
  placeOrderHeadersSchema,
} from '../../orders/request-schemas';
import { webhookEventSchema } from '../../payments/webhook-event';
import { BODY_ERRORS, mergeErrors } from './errors';
import { json, registerRoute } from './route';

// Components: named once here, so the document says "Order" rather than repeating the shape in every answer.
const Order = orderJsonSchema.meta({ id: 'Order' });
const OrderPage = orderPageJsonSchema.extend({ items: z.array(Order) }).meta({ id: 'OrderPage' });
const PlaceOrderRequest = placeOrderBodySchema.meta({ id: 'PlaceOrderRequest' });
const PaymentWebhookEvent = webhookEventSchema.meta({ id: 'PaymentWebhookEvent' });

const replayedHeader = z.object({
  'Idempotent-Replayed': z
    .literal('true')
    .optional()
    .describe('present when this answer repeats an earlier request with the same key and body'),
});
const placedHeaders = replayedHeader.extend({ Location: z.string().describe('/orders/{id}') });

export function registerOrderPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, {
    method: 'post',
    path: '/orders',
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'Starts the order saga and answers once the stock reservation is decided (payment goes on asynchronously). ' +
      'With an Idempotency-Key the same key and body always get the same answer, and nothing is reserved or charged twice.',
    headers: {
      'Idempotency-Key': placeOrderHeadersSchema.shape['idempotency-key'].describe(
        '1–255 visible ASCII characters. The order id is derived from (customerId, key): retries reach the same order',
      ),
    },
    request: { body: { required: true, content: { 'application/json': { schema: PlaceOrderRequest } } } },
    responses: {
      201: json('Placed: the order is AWAITING_PAYMENT (or already further along, on a replay)', Order, placedHeaders),
    },
    errors: mergeErrors(BODY_ERRORS, {
      409: ['insufficient_stock', 'idempotency_key_reused'],
      422: ['unknown_product', 'currency_mismatch', 'unsupported_payment_method'],
      503: ['service_unavailable'],
    }),
  });

  registerRoute(registry, {
    method: 'get',
    path: '/orders',
    tags: ['orders'],
    summary: "List a customer's orders, newest first",
    request: { query: listOrdersQuerySchema },
    responses: { 200: json('One page of orders', OrderPage) },
    errors: { 400: ['validation_failed'] },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/orders/{id}',
    tags: ['orders'],
    summary: 'Get an order',
    request: { params: orderIdParamsSchema },
    responses: { 200: json('The order', Order) },
    errors: { 404: ['not_found'] },
  });

  registerRoute(registry, {
    method: 'post',
    path: '/orders/{id}/cancel',
    tags: ['orders'],
    summary: 'Cancel an order',
    description:
      'Before payment: voids the payment and releases the stock (CANCELLED). After payment, within CANCEL_WINDOW: ' +
      'refunds and restocks (REFUNDED). Answers once compensation is done; an already cancelled order answers 200 unchanged.',
    request: {
      params: orderIdParamsSchema,
      body: { required: false, content: { 'application/json': { schema: cancelOrderBodySchema } } },
    },
    responses: { 200: json('The order after compensation', Order) },
    errors: mergeErrors(BODY_ERRORS, { 404: ['not_found'], 409: ['not_cancellable'] }),
  });

  registerRoute(registry, {
    method: 'post',
    path: '/webhooks/payments',
    tags: ['webhooks'],
    summary: "The payment provider's webhook",
    description:
      'Verified with the Payment-Signature header, then handed to the order saga. Duplicates answer 200 again.',
    headers: {
      'Payment-Signature': z
        .string()
        .describe(
          '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with PAYMENT_WEBHOOK_SECRET; 5-minute tolerance',
        )
        .meta({ example: 't=1767225600,v1=5f2b…' }),
    },
    request: { body: { required: true, content: { 'application/json': { schema: PaymentWebhookEvent } } } },
    responses: { 200: json('Accepted (or a duplicate of an accepted event)', webhookAckJsonSchema) },
    errors: mergeErrors(BODY_ERRORS, { 401: ['invalid_signature'], 404: ['not_found'] }),
  });

  registerRoute(registry, {
    method: 'post',
    path: '/admin/orders/{id}/retry-compensation',
    tags: ['admin'],
    admin: true,
    summary: 'Retry the failed compensations of a NEEDS_ATTENTION order',
    request: { params: orderIdParamsSchema },
    responses: { 200: json('The order; the saga runs the compensations again', Order) },
    errors: { 404: ['not_found'], 409: ['not_retryable'] },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/admin/notifications',
    tags: ['admin'],
    admin: true,
    summary: 'Customer notifications, newest first (at most 500)',
    request: { query: notificationsQuerySchema },
    responses: { 200: json('Notifications', z.object({ items: z.array(notificationJsonSchema) })) },
    errors: { 400: ['validation_failed'] },
  });
}
