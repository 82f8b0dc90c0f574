import { z } from 'zod';
import { keysetCursorSchema } from '../db/keyset-cursor';
import { ORDER_STATUSES } from '../../workflows/order/definitions';

/** Request shapes of the orders API, parsed once at the boundary (and the source of the OpenAPI document). */

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1–255 visible ASCII characters');

/** Node lower-cases header names; the OpenAPI document names the header as clients write it (Idempotency-Key). */
export const placeOrderHeadersSchema = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });

export const customerEmailSchema = z.email().max(254);

// Printable characters only: customer ids (a token's `sub` too) end up in logs, search attributes and workflow
// summaries. The class is Unicode's Cc (C0, DEL, C1) spelt without the `u` flag: the OpenAPI generator copies the
// pattern but not its flags.
// eslint-disable-next-line no-control-regex -- naming the control characters is the point
export const customerIdSchema = z.string().trim().min(1).max(100).regex(/^[^\x00-\x1f\x7f-\x9f]+$/, 'no control characters');

export const placeOrderBodySchema = z
  .strictObject({
    // Both default to the token's: `sub`, and the `email` claim when it has one. A customerId other than the
    // token's subject is refused (403); support staff (admin token) must name the customer.
    customerId: customerIdSchema.optional(),
    customerEmail: customerEmailSchema.optional(),
    items: z
      .array(z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(1000) }))
      .min(1)
      .max(50)
      .refine((items) => new Set(items.map((i) => i.productId.toLowerCase())).size === items.length, {
        message: 'a product may appear at most once',
      }),
    payment: z.strictObject({ token: z.string().min(1).max(100).regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only') }),
  });
export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>;

export const orderIdParamsSchema = z.object({ id: z.uuid() });

/** A customer's path segment, as their token's `sub` spells it; one that fails the schema names no one (404). */
export const customerIdParamsSchema = z.object({ customerId: customerIdSchema.describe("the customer's id (a customer token's `sub`)") });

export const listOrdersQuerySchema = z.strictObject({
  // A customer's own by default; the admin token names whose.
  customerId: customerIdSchema.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'expected an integer from 1 to 100').transform(Number).pipe(z.int().min(1).max(100)).default(20),
  cursor: keysetCursorSchema.optional(),
});

/** Units of an order's lines, each product once: what a cancel, a refund, a shipment or a return names. */
export const orderUnitsSchema = z
  .array(z.strictObject({ productId: z.uuid(), quantity: z.int().min(1).max(1000) }))
  .min(1)
  .max(50)
  .refine((items) => new Set(items.map((i) => i.productId.toLowerCase())).size === items.length, {
    message: 'a product may appear at most once',
  });

export const cancelOrderBodySchema = z
  .strictObject({
    reason: z.string().max(500).optional(),
    items: orderUnitsSchema
      .optional()
      .describe('only these undispatched units of lines that ship (the rest of the order goes on); absent: the whole order'),
  })
  .default({});

export const notificationsQuerySchema = z.strictObject({ status: z.enum(['failed', 'sent']).optional() });

/** POST /admin/orders/{id}/refunds: an amount, or lines (their prices; `restock` puts their units back). */
export const refundOrderBodySchema = z
  .strictObject({
    amountCents: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('integer minor units to give back'),
    items: orderUnitsSchema
      .optional()
      .describe('lines of the order to refund: their unit price × quantity is given back'),
    reason: z.string().trim().min(1).max(200).describe('why (shown on the order; no personal data)'),
    restock: z.boolean().optional().describe('put the refunded lines back in stock (with `items` only)'),
  })
  .refine((body) => (body.amountCents === undefined) !== (body.items === undefined), {
    message: 'give either amountCents or items, not both',
  })
  .refine((body) => !body.restock || body.items !== undefined, { message: 'restock needs items', path: ['restock'] });

export const refundOrderHeadersSchema = z.object({ 'idempotency-key': idempotencyKeySchema });
