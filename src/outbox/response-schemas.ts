import { z } from 'zod';
import { orderJsonSchema, orderReturnJsonSchema, shipmentJsonSchema } from '../orders/response-schemas';
import { ORDER_EVENT_TYPES } from './event-types';
import { MESSAGE_STATUSES } from './message-store';

export const webhookEndpointJsonSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()).nullable().describe('null: every event type'),
    description: z.string().nullable(),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.enum(['gone', 'operator']).optional().describe('gone: the receiver answered 410; operator: PATCHed'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookEndpointWithSecretJsonSchema = webhookEndpointJsonSchema
  .extend({ secret: z.string().describe('`whsec_…`: shown this once; it signs every delivery (Standard Webhooks)') })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const webhookAttemptJsonSchema = z.object({
  at: z.string(),
  statusCode: z.int().nullable().describe('null: no answer (timeout, connection refused, address refused)'),
  durationMs: z.int(),
  error: z.string().optional(),
});

export const webhookMessageJsonSchema = z
  .object({
    id: z.uuid(),
    endpointId: z.uuid(),
    eventId: z.uuid().describe('The webhook-id header is `msg_<eventId>`: the same on every attempt, retry and replay'),
    orderId: z.uuid(),
    type: z.string(),
    status: z.enum(MESSAGE_STATUSES as [string, ...string[]]),
    attempts: z.array(webhookAttemptJsonSchema),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookMessage' });

export const webhookMessagePageJsonSchema = z.object({ items: z.array(webhookMessageJsonSchema), nextCursor: z.string().nullable() });

/** The body of a refund.created event (the OpenAPI document's `webhooks`); `data.refund` is added where the Refund component is known. */
export const refundEventJsonSchema = z.object({
  type: z.literal('refund.created'),
  timestamp: z.string().describe('When the refund was recorded (ISO 8601)'),
  data: z.object({ order: orderJsonSchema.describe('The order as GET /orders/{id} showed it once the refund was recorded') }),
});

/** The body of shipment.dispatched: the order (its shipments included) and the shipment just recorded. */
export const shipmentEventJsonSchema = z.object({
  type: z.literal('shipment.dispatched'),
  timestamp: z.string().describe('When the shipment was recorded (ISO 8601)'),
  data: z.object({
    order: orderJsonSchema.describe('The order as GET /orders/{id} showed it once the shipment was recorded'),
    shipment: shipmentJsonSchema,
  }),
});

/** The body of return.received: the order and the return the warehouse just received (refunded). */
export const returnEventJsonSchema = z.object({
  type: z.literal('return.received'),
  timestamp: z.string().describe('When the receipt was recorded (ISO 8601)'),
  data: z.object({
    order: orderJsonSchema.describe('The order as GET /orders/{id} showed it once the return was received'),
    return: orderReturnJsonSchema,
  }),
});

/** The body of every outbound order event (the OpenAPI document's `webhooks`). */
export const orderEventJsonSchema = z
  .object({
    type: z.enum(ORDER_EVENT_TYPES as [string, ...string[]]).describe('`order.<status in lower case>`'),
    timestamp: z.string().describe('When the status change committed (ISO 8601)'),
    data: z.object({ order: orderJsonSchema.describe('The order as GET /orders/{id} showed it right after the change') }),
  });
