import { randomUUID } from 'node:crypto';
import type { Client as PgClient } from 'pg';

/** Stock no benchmark can exhaust, so every order is accepted. */
export const AMPLE_STOCK = 1_000_000_000;

/** Creates `count` active EUR products with ample stock (and their INITIAL ledger rows); answers their ids. */
export async function createBenchProducts(db: PgClient, count: number): Promise<string[]> {
  const prefix = `bench-saga-${randomUUID().slice(0, 8)}-`;
  const { rows } = await db.query<{ id: string }>(
    `WITH created AS (
       INSERT INTO products (sku, name, price_cents, currency, on_hand)
       SELECT $1 || g, 'Bench product ' || g, 100 * g, 'EUR', $2 FROM generate_series(1, $3) AS g
       RETURNING id, on_hand),
     ledger AS (INSERT INTO stock_movements (product_id, delta, kind, reason) SELECT id, on_hand, 'INITIAL', 'benchmark setup' FROM created)
     SELECT id FROM created`,
    [prefix, AMPLE_STOCK, count],
  );
  await db.query('ANALYZE products');
  return rows.map((r) => r.id);
}

/** An order of `customer` for 1–3 distinct products of `products` (as many as there are), 1–2 units each. */
export function randomOrderBody(products: readonly string[], customer: { id: string; email: string }, token = 'tok_visa') {
  const lines = Math.min(products.length, 1 + Math.floor(Math.random() * 3));
  const picked = new Set<string>();
  while (picked.size < lines) picked.add(products[Math.floor(Math.random() * products.length)]);
  return {
    customerId: customer.id,
    customerEmail: customer.email,
    items: [...picked].map((productId) => ({ productId, quantity: 1 + Math.floor(Math.random() * 2) })),
    payment: { token },
  };
}
