import { z } from 'zod';
import { RETURN_STATUSES, SHIPMENT_STATUSES } from '../../workflows/order/state-machine';
import { idempotencyKeySchema, orderUnitsSchema } from './request-schemas';

/** Request and answer shapes of shipments, deliveries, cancels of units and returns, parsed once at the boundary. */

export const shipmentIdParamsSchema = z.object({ id: z.uuid() });
export const returnIdParamsSchema = z.object({ id: z.uuid() });

export const dispatchShipmentHeadersSchema = z.object({ 'idempotency-key': idempotencyKeySchema });
export const dispatchShipmentBodySchema = z.strictObject({
  items: orderUnitsSchema.describe('units of lines that ship (requiresShipping), at most what is left to ship'),
  carrier: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'lower-case letters, digits and -, at most 50')
    .optional()
    .describe('the carrier service (default `sim-post`; the simulator’s `lost-in-transit` never delivers)'),
});
export type DispatchShipmentBody = z.infer<typeof dispatchShipmentBodySchema>;

export const requestReturnHeadersSchema = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });
export const requestReturnBodySchema = z.strictObject({
  items: orderUnitsSchema.describe('delivered units to send back'),
  reason: z.string().trim().min(1).max(200).describe('why (shown on the return; no personal data)'),
});
export type RequestReturnBody = z.infer<typeof requestReturnBodySchema>;

export const receiveReturnBodySchema = z
  .strictObject({ items: orderUnitsSchema.optional().describe('what actually came back (default: everything the return asked for)') })
  .default({});

const units = z.array(z.object({ productId: z.uuid(), quantity: z.int().min(1) }));

export const shipmentJsonSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(SHIPMENT_STATUSES),
  items: units,
  carrier: z.string(),
  trackingNumber: z.string(),
  dispatchedAt: z.iso.datetime({ offset: true }),
  deliveredAt: z.iso.datetime({ offset: true }).optional(),
});

export const returnJsonSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(RETURN_STATUSES),
  items: units,
  reason: z.string(),
  refundCents: z.int().describe('what the units asked back are worth, in minor units; received ones are refunded'),
  receivedItems: units.optional(),
  requestedAt: z.iso.datetime({ offset: true }),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});
