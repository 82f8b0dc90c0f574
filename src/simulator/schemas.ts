import { z } from 'zod';
import { amountCentsSchema, currencySchema } from '../wire/money';
import { notificationRecordSchema } from '../wire/notification-record';
import { SIMULATOR_FAILURE_REASONS, SIMULATOR_PAYMENT_STATUSES, simulatorPaymentSchema } from '../wire/simulator-payment';
import { SIMULATOR_TOKENS } from '../wire/simulator-tokens';
import { carrierShipmentSchema } from '../wire/carrier-shipment';

/**
 * Request schemas of the simulator's HTTP API. Bodies are strict (an unknown field is a 400), as real PSPs
 * reject unknown parameters: a typo then fails loudly instead of being ignored.
 */
const id = z.string().min(1).max(200);

/** 1–255 visible ASCII characters, the same rule as the orders API. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: 'the Idempotency-Key header is required' })
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'expected visible ASCII characters only'),
});

export const createAccountBody = z.strictObject({ customerId: id.describe("the customer id the shop sends as the payment's customerId") });
export const customerParams = z.object({ customerId: id });
export const depositBody = z.strictObject({ amountCents: amountCentsSchema });

const metadataValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

export const createPaymentBody = z.strictObject({
  orderId: id,
  customerId: id,
  amountCents: amountCentsSchema,
  currency: currencySchema,
  token: z.enum(SIMULATOR_TOKENS).describe('the test payment method: it alone decides the outcome (see the description above)'),
  metadata: z
    .record(z.string().min(1).max(40), metadataValue)
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys')
    .optional(),
  capture: z
    .enum(['automatic', 'manual'])
    .optional()
    .describe('`manual`: only authorize (the payment becomes `authorized`); POST /v1/payments/{id}/capture takes the money'),
});
export type CreatePaymentBody = z.infer<typeof createPaymentBody>;

export const paymentParams = z.object({ id });

/** A parcel to book with the carrier: the order it belongs to, the carrier service, what is in it. */
export const createShipmentBody = z.strictObject({
  orderId: id,
  carrier: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/, 'expected visible ASCII characters only')
    .describe('the carrier service; `lost-in-transit` books a parcel that is reported in transit and never delivered'),
  items: z
    .array(z.strictObject({ productId: id, quantity: z.int().min(1).max(1_000_000) }))
    .min(1)
    .max(100),
});
export type CreateShipmentBody = z.infer<typeof createShipmentBody>;
export const shipmentParams = z.object({ id });

/** A refund: without a body (or `amountCents`), whatever is left of the payment. */
export const refundPaymentBody = z
  .strictObject({
    amountCents: amountCentsSchema.optional().describe('integer minor units to give back; at most what is left'),
  })
  .optional();

/** A capture: without a body (or `amountCents`), the whole authorized amount. */
export const capturePaymentBody = z
  .strictObject({
    amountCents: amountCentsSchema.optional().describe('integer minor units to capture; at most what was authorized, the rest is released'),
  })
  .optional();

/** `?orderId=` narrows a list to one order; without it the whole list is returned (the invariant checker uses it). */
export const listByOrderQuery = z.object({ orderId: id.optional() });

export const sendNotificationBody = z.strictObject({
  to: z.string().min(1).max(320),
  template: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z][a-z0-9_.-]*$/, 'expected a lower-case template name such as order_confirmed'),
  data: z.record(z.string(), z.unknown()).refine((d) => d.orderId === undefined || typeof d.orderId === 'string', {
    message: 'data.orderId must be a string when present',
    path: ['orderId'],
  }),
});
export type SendNotificationBody = z.infer<typeof sendNotificationBody>;

// ---- Answers (the OpenAPI document's response bodies) ----------------------------------------------------------

export const accountSchema = z.object({ customerId: z.string(), balanceCents: z.int().describe('integer minor units') }).meta({ id: 'Account' });

export const refundSchema = z
  .object({ id: z.string().describe('re_…'), amountCents: z.int().min(1), createdAt: z.iso.datetime() })
  .meta({ id: 'Refund' });

export const simulatedPaymentSchema = simulatorPaymentSchema
  .extend({
    status: z
      .enum(SIMULATOR_PAYMENT_STATUSES)
      .describe(
        'pending → succeeded | failed | voided; succeeded → refunded once its refunds gave back the whole amount; ' +
          'manual capture: pending → authorized → succeeded (captured) | voided (released, or its hold lapsed)',
      ),
    refundedCents: z.int().describe('integer minor units its refunds gave back so far'),
    refunds: z.array(refundSchema).describe('its refunds, oldest first'),
    capture: z.enum(['manual']).optional().describe('present for a manual-capture payment'),
    failureReason: z.enum(SIMULATOR_FAILURE_REASONS).optional().describe('set when the payment failed or was voided'),
    token: z.enum(SIMULATOR_TOKENS),
    metadata: createPaymentBody.shape.metadata,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Payment' });

export const notificationSchema = notificationRecordSchema.meta({ id: 'Notification' });

export const disputeParams = z.object({ id });

/** How the card network decided: `won`, the merchant keeps the money; `lost`, it goes back to the customer. */
export const closeDisputeBody = z.strictObject({ outcome: z.enum(['won', 'lost']) });

export const simulatedDisputeSchema = z
  .object({
    id: z.string().describe('dp_…'),
    paymentId: z.string(),
    orderId: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    amountCents: z.int().describe('integer minor units disputed: what was captured and not refunded when it opened'),
    currency: currencySchema,
    reason: z.string().describe("the bank's reason (`fraudulent`)"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Dispute' });

export const simulatedShipmentSchema = carrierShipmentSchema
  .extend({
    id: z.string().describe('shp_…'),
    trackingNumber: z.string().describe('`SIM-<12 hex>`; with the suffix `-lost` for carrier `lost-in-transit`'),
    status: z
      .enum(['dispatched', 'in_transit', 'delivered'])
      .describe('dispatched → in_transit (after SIM_DELIVERY_DELAY_MS) → delivered (as long again; never for a `-lost` parcel)'),
    orderId: z.string(),
    items: createShipmentBody.shape.items,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Shipment' });
