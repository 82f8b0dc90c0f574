import { z } from 'zod';
import type { ProductJson } from './product-json';

/** The catalog's answers as zod schemas (the OpenAPI document's response bodies); tsc checks toProductJson fits. */

const timestamp = z.iso.datetime({ offset: true });

export const productJsonSchema = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  priceCents: z.int().min(0).describe('integer minor units'),
  currency: z.string(),
  onHand: z.int(),
  reserved: z.int(),
  available: z.int().describe('onHand - reserved: what can still be ordered'),
  active: z.boolean(),
  maxPerCustomer: z.int().min(1).nullable().describe("units one customer may hold in live orders (any status but REJECTED, CANCELLED, REFUNDED); null: no limit"),
  requiresShipping: z.boolean().describe('its units are shipped after payment: an order with such a line waits for its shipments'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const productPageJsonSchema = z.object({
  items: z.array(productJsonSchema),
  nextCursor: z.string().nullable(),
});

type Fits<Actual, Documented> = Actual extends Documented ? true : never;
const productJsonIsDocumented: Fits<ProductJson, z.infer<typeof productJsonSchema>> = true;
void productJsonIsDocumented;
