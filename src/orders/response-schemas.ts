import { z } from 'zod';
import { ORDER_STATUSES } from '../../workflows/order/definitions';
import { DISPUTE_STATUSES, ORDER_REASONS, PAYMENT_STATUSES, REASON_PREFIXES, REFUND_STATUSES, RETURN_STATUSES, SHIPMENT_STATUSES } from '../../workflows/order/state-machine';
import type { CustomerStats } from './customer-stats';
import type { OrderJson, RefundJson } from './order-view';

/**
 * The orders API's answers as zod schemas: the source of the OpenAPI document's response bodies. The assertion at
 * the bottom makes `tsc` fail when toOrderJson (what the API really sends) stops fitting the documented shape.
 */

const timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601, UTC');

/** `compensation_failed:<step,…>` or `step_failed:<activity>`: the reasons that name what failed. */
export const PREFIXED_REASON_PATTERN = `^(${REASON_PREFIXES.join('|')})[A-Za-z0-9_,]+$`;

/** The saga's one reason vocabulary (workflows/order/state-machine.ts), as the API documents it. */
export const orderReasonSchema = z
  .union([z.enum(ORDER_REASONS), z.string().regex(new RegExp(PREFIXED_REASON_PATTERN))])
  .describe('one of the listed reasons, or a prefixed one naming what failed: compensation_failed:<step,…>, step_failed:<activity>');

export const orderItemJsonSchema = z.object({
  productId: z.uuid(),
  sku: z.string().nullable().describe('null until the stock is reserved (prices are copied from the catalog then)'),
  name: z.string().nullable(),
  quantity: z.int().min(1),
  unitPriceCents: z.int().nullable(),
  lineTotalCents: z.int().nullable(),
});

export const refundJsonSchema = z.object({
  id: z.uuid(),
  amountCents: z.int().min(1).describe('integer minor units given back'),
  reason: z.string(),
  status: z
    .enum(REFUND_STATUSES)
    .describe('pending: asked of the provider; succeeded: the money went back; failed: the provider refused it'),
  items: z
    .array(z.object({ productId: z.uuid(), quantity: z.int().min(1) }))
    .optional()
    .describe('the lines it refunds, when it was asked for by line'),
  restock: z.boolean().describe('the refunded lines were put back in stock'),
  failure: z.string().optional().describe("the provider's reason, when it failed"),
  createdAt: timestamp,
});

const unitsJsonSchema = z.array(z.object({ productId: z.uuid(), quantity: z.int().min(1) }));

/** A shipment as the API shows it (GET /orders/{id} `shipments`, POST /admin/orders/{id}/shipments). */
export const shipmentJsonSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(SHIPMENT_STATUSES).describe("dispatched: handed to the carrier; in_transit: the carrier's first scan; delivered"),
  items: unitsJsonSchema.describe('the units it carries'),
  carrier: z.string(),
  trackingNumber: z.string().describe("the carrier's tracking number"),
  dispatchedAt: timestamp,
  deliveredAt: timestamp.optional().describe('when the carrier delivered it'),
});

/** A return as the API shows it (GET /orders/{id} `returns`, POST /orders/{id}/returns). */
export const orderReturnJsonSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(RETURN_STATUSES).describe('requested: asked by the customer; received: back at the warehouse and refunded; expired: never received'),
  items: unitsJsonSchema.describe('the units asked back'),
  reason: z.string(),
  refundCents: z.int().min(0).describe('integer minor units the units asked back are worth (received ones are refunded)'),
  receivedItems: unitsJsonSchema.optional().describe('what the warehouse received (status received)'),
  requestedAt: timestamp,
  receivedAt: timestamp.optional(),
});

export const orderJsonSchema = z.object({
  id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  customerId: z.string(),
  customerEmail: z.string(),
  items: z.array(orderItemJsonSchema),
  totalCents: z.int().nullable().describe('integer minor units; null until the stock is reserved'),
  currency: z.string().nullable(),
  payment: z.object({
    status: z
      .enum(PAYMENT_STATUSES)
      .describe(
        'succeeded: captured; partially_refunded: part of it given back; refunded: all of it; not_required: a free order',
      ),
    providerPaymentId: z.string().optional(),
    authorizedCents: z.int().describe('integer minor units the provider authorised'),
    capturedCents: z.int().describe('integer minor units taken from the customer'),
    refundedCents: z.int().describe('integer minor units given back (never more than capturedCents)'),
    refunds: z
      .array(refundJsonSchema)
      .describe(
        "the refunds operators asked for and those of units cancelled before dispatch or returned (reason items_cancelled, return_received), oldest first (a cancel's full refund is not listed)",
      ),
  }),
  dispute: z
    .object({
      id: z.string().describe("the provider's dispute id"),
      status: z.enum(DISPUTE_STATUSES).describe('open: the order is DISPUTED; won: it went back to its status; lost: CHARGED_BACK'),
      amountCents: z.int().describe('integer minor units disputed (counted as refunded when lost)'),
      reason: z.string().describe("the bank's reason, as the provider reports it"),
    })
    .optional()
    .describe("the last dispute of the order's charge; absent when it was never disputed"),
  failureReason: orderReasonSchema.optional().describe('why the order was rejected, cancelled or needs attention: the most precise cause known'),
  shipments: z.array(shipmentJsonSchema).optional().describe('its shipments, oldest first (GET /orders/{id}; left out of lists)'),
  returns: z.array(orderReturnJsonSchema).optional().describe('the returns the customer asked for, oldest first (GET /orders/{id}; left out of lists)'),
  cancelledItems: unitsJsonSchema
    .optional()
    .describe('units the customer cancelled before they were dispatched, per product (GET /orders/{id}; left out of lists)'),
  history: z.array(z.object({ status: z.enum(ORDER_STATUSES), at: timestamp, reason: orderReasonSchema.optional() })),
  workflowId: z.string().describe('the Temporal workflow running this order: order-{id}'),
  temporalUiUrl: z.url().describe("the order's saga in the Temporal Web UI"),
  traceId: z.string().nullable().describe('the OpenTelemetry trace id of the request that placed the order; null when tracing was off'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const orderPageJsonSchema = z.object({
  items: z.array(orderJsonSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last one'),
});

export const notificationJsonSchema = z.object({
  id: z.string(),
  orderId: z.uuid(),
  kind: z
    .string()
    .describe('order_confirmed | order_cancelled | order_refunded | dispute_opened | dispute_closed | order_shipped | order_delivered | return_received'),
  recipient: z.string(),
  status: z.enum(['SENT', 'FAILED']),
  attempts: z.int(),
  lastError: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const webhookAckJsonSchema = z.object({
  received: z.literal(true),
  duplicate: z.literal(true).optional().describe('present when this event had been handled before: nothing was done again'),
});

export const customerStatsJsonSchema = z.object({
  customerId: z.string(),
  orders: z.object({
    total: z.int().min(0).describe('every order placed, whatever its status (rejected ones included)'),
    byStatus: z.partialRecord(z.enum(ORDER_STATUSES), z.int().min(1)).describe('orders per status; statuses with none are left out'),
  }),
  spent: z
    .array(
      z.object({
        currency: z.string(),
        paidCents: z.int().describe('money actually taken: the totals of orders whose payment succeeded (refunded later or not)'),
        refundedCents: z.int().describe('money given back: the totals of refunded payments'),
        netCents: z.int().describe('paidCents - refundedCents: what the customer has kept paying for'),
      }),
    )
    .describe('per currency, in integer minor units; currencies never charged are left out'),
  itemsBought: z.int().min(0).describe('units of the orders that are PAID or COMPLETED (free orders included)'),
  firstOrderAt: timestamp.nullable(),
  lastOrderAt: timestamp.nullable(),
});

type Fits<Actual, Documented> = Actual extends Documented ? true : never;
const orderJsonIsDocumented: Fits<OrderJson, z.infer<typeof orderJsonSchema>> = true;
void orderJsonIsDocumented;
const customerStatsAreDocumented: Fits<CustomerStats, z.infer<typeof customerStatsJsonSchema>> = true;
void customerStatsAreDocumented;
const refundJsonIsDocumented: Fits<RefundJson, z.infer<typeof refundJsonSchema>> = true;
void refundJsonIsDocumented;
