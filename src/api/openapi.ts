import { z } from 'zod';
import type { Route } from '../http/route';
import { ORDER_EVENT_TYPES } from '../outbox/event-types';
import { orderEventJsonSchema, refundEventJsonSchema, returnEventJsonSchema, shipmentEventJsonSchema } from '../outbox/response-schemas';
import { STANDARD_WEBHOOKS_SECURITY_SCHEME } from '../wire/standard-webhooks';
import { Order } from './routes/orders';
import { Refund } from './routes/admin';
import { buildOpenApiDocument } from '../http/openapi';
import { REQUEST_ID_HEADERS } from '../http/request-id';
import type { ErrorCode } from './error-codes';
import { ERROR_CODES } from './error-codes';

/** The body of every outbound order event, with the API's Order component. */
const OrderEvent = orderEventJsonSchema.extend({ data: z.object({ order: Order }) }).meta({ id: 'OrderEvent' });
/** The body of refund.created: the order and the refund just recorded (status `pending` until the provider answers). */
const RefundEvent = refundEventJsonSchema
  .extend({ data: z.object({ order: Order, refund: Refund }) })
  .meta({ id: 'RefundEvent' });

/** The bodies of shipment.dispatched and return.received (Migration20261207001000_fulfilment). */
const ShipmentEvent = shipmentEventJsonSchema.extend({ data: shipmentEventJsonSchema.shape.data.extend({ order: Order }) }).meta({ id: 'ShipmentEvent' });
const ReturnEvent = returnEventJsonSchema.extend({ data: returnEventJsonSchema.shape.data.extend({ order: Order }) }).meta({ id: 'ReturnEvent' });
const FULFILMENT_EVENTS = [
  { type: 'shipment.dispatched', schema: ShipmentEvent, summary: 'Sent to subscribed endpoints when a shipment of an order is dispatched (POST /admin/orders/{id}/shipments)' },
  { type: 'return.received', schema: ReturnEvent, summary: 'Sent to subscribed endpoints when the warehouse received a return, and its units were refunded' },
];

/** The API's OpenAPI 3.1 document of `routes`; `serverUrl` is where clients reach it (PUBLIC_BASE_URL). */
export function apiDocument(routes: readonly Route<never, ErrorCode>[], options: { serverUrl?: string } = {}) {
  return buildOpenApiDocument({
    routes,
    errors: ERROR_CODES,
    commonHeaders: REQUEST_ID_HEADERS,
    info: {
      title: 'order-saga API',
      version: '0.1.0',
      description:
        'Orders run as Temporal sagas: reserve stock, charge, wait for the payment webhook, confirm or compensate. ' +
        'Every error is `{ error, message, details? }`; every answer carries X-Request-Id. Each order links its saga in ' +
        'the Temporal Web UI (`temporalUiUrl`).',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'orders', description: 'Place, read and cancel orders' },
      { name: 'catalog', description: 'Products and stock' },
      { name: 'shipping', description: 'After payment: shipments, deliveries and returns of goods that ship' },
      { name: 'webhooks', description: 'Called by the payment provider and the carrier' },
      { name: 'admin', description: 'Operator endpoints (admin bearer token)' },
      { name: 'webhooks-out', description: 'Order events sent to subscribers as Standard Webhooks, and their operators’ routes' },
      { name: 'operability', description: 'Health, metrics and this documentation' },
    ],
    // What the service sends to subscribers: one webhook per event type, all with the OrderEvent body.
    extend: (registry) => {
      registry.registerComponent('securitySchemes', 'standardWebhookSignature', STANDARD_WEBHOOKS_SECURITY_SCHEME);
      for (const type of ORDER_EVENT_TYPES) {
        registry.registerWebhook({
          method: 'post',
          path: type,
          operationId: `${type.replace('.', '_')}_event`,
          tags: ['webhooks-out'],
          summary: `Sent to subscribed endpoints when an order becomes ${type.slice('order.'.length).toUpperCase()}`,
          description:
            'Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the endpoint secret. ' +
            'Retried on WEBHOOK_RETRY_SCHEDULE with the same `webhook-id` until a 2xx; a 410 disables the endpoint. ' +
            "Each endpoint gets an order's events in the order they happened.",
          security: [{ standardWebhookSignature: [] }],
          request: { body: { required: true, content: { 'application/json': { schema: OrderEvent } } } },
          responses: { 200: { description: 'Received (any 2xx)' }, 410: { description: 'Gone: the endpoint is disabled' } },
        });
      }
      registry.registerWebhook({
        method: 'post',
        path: 'refund.created',
        operationId: 'refund_created_event',
        tags: ['webhooks-out'],
        summary: "Sent to subscribed endpoints when an operator's refund of an order is recorded (POST /admin/orders/{id}/refunds)",
        description:
          'Signed, retried and ordered like the order events (the same outbox): it follows the events of the order before it.',
        security: [{ standardWebhookSignature: [] }],
        request: { body: { required: true, content: { 'application/json': { schema: RefundEvent } } } },
        responses: { 200: { description: 'Received (any 2xx)' }, 410: { description: 'Gone: the endpoint is disabled' } },
      });
      for (const { type, schema, summary } of FULFILMENT_EVENTS) {
        registry.registerWebhook({
          method: 'post',
          path: type,
          operationId: `${type.replace('.', '_')}_event`,
          tags: ['webhooks-out'],
          summary,
          description: 'Signed, retried and ordered like the order events (the same outbox).',
          security: [{ standardWebhookSignature: [] }],
          request: { body: { required: true, content: { 'application/json': { schema } } } },
          responses: { 200: { description: 'Received (any 2xx)' }, 410: { description: 'Gone: the endpoint is disabled' } },
        });
      }
    },
    schemas: [OrderEvent, RefundEvent, ShipmentEvent, ReturnEvent],
  });
}
