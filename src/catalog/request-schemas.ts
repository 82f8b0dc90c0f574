import { z } from 'zod';
import { keysetCursorSchema } from '../db/keyset-cursor';
import { PG_INT_MAX } from './limits';

// Request shapes for the catalog endpoints. Objects are strict (an unknown or misspelt field is a 400, not
// silently ignored) and every number is an integer that fits the PostgreSQL integer column it lands in.

const sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
const name = z.string().trim().min(1).max(200);
/** Money in integer minor units (cents); never a float. */
const minorUnits = z.int().min(0).max(PG_INT_MAX);
/** Units one customer may hold in live orders; null (or left out when creating): no limit. */
const maxPerCustomer = z.int().min(1).max(PG_INT_MAX).nullable();
/** Whether the product's units are shipped after payment (the order then waits for its shipments); default false. */
const requiresShipping = z.boolean();
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an upper-case ISO 4217 code such as "EUR"');

export const createProductBody = z.strictObject({
  sku,
  name,
  priceCents: minorUnits,
  currency,
  stock: z.int().min(0).max(PG_INT_MAX),
  maxPerCustomer: maxPerCustomer.optional(),
  requiresShipping: requiresShipping.optional(),
});

export const updateProductBody = z
  .strictObject({
    name: name.optional(),
    priceCents: minorUnits.optional(),
    active: z.boolean().optional(),
    maxPerCustomer: maxPerCustomer.optional(),
    requiresShipping: requiresShipping.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'expected at least one of name, priceCents, active, maxPerCustomer, requiresShipping');

export const stockAdjustmentBody = z.strictObject({
  delta: z
    .int()
    .min(-PG_INT_MAX)
    .max(PG_INT_MAX)
    .refine((delta) => delta !== 0, 'a stock adjustment must change the stock'),
  reason: z.string().trim().min(1).max(500),
});

export const listProductsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'expected an integer from 1 to 100')
    .transform(Number)
    .pipe(z.int().min(1).max(100))
    .default(20),
  cursor: keysetCursorSchema.optional(),
});
