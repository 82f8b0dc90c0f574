import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import type { Product } from '../../src/catalog/entities';
import { createProduct } from '../../src/catalog/products';
import { uniqueId } from '../harness/env';

/** A product with a unique sku (tests share one database), created through the catalog's own code path. */
export function makeProduct(
  orm: Orm,
  overrides: Partial<{ name: string; priceCents: number; currency: string; stock: number }> = {},
): Promise<Product> {
  return createProduct(orm.em.fork(), {
    sku: uniqueId('sku'),
    name: 'Test product',
    priceCents: 1250,
    currency: 'EUR',
    stock: 10,
    ...overrides,
  });
}

export const newOrderId = () => randomUUID();

export interface StockRow {
  on_hand: number;
  reserved: number;
  version: number;
}

export async function stockOf(orm: Orm, productId: string): Promise<StockRow> {
  const [row] = await orm.em.fork().execute<StockRow[]>('SELECT on_hand, reserved, version FROM products WHERE id = ?', [productId]);
  return row;
}

/** Everything the stock functions can change for some products, to compare before and after a replay. */
export async function stockSnapshot(orm: Orm, productIds: string[]) {
  const em = orm.em.fork();
  const ids = `{${productIds.join(',')}}`;
  const [products, reservations, movements] = await Promise.all([
    em.execute('SELECT id, on_hand, reserved, version, updated_at FROM products WHERE id = ANY(?::uuid[]) ORDER BY id', [ids]),
    em.execute(
      'SELECT order_id, product_id, quantity, status, restocked_at, updated_at FROM stock_reservations WHERE product_id = ANY(?::uuid[]) ORDER BY order_id, product_id',
      [ids],
    ),
    em.execute('SELECT id, product_id, delta, kind, order_id FROM stock_movements WHERE product_id = ANY(?::uuid[]) ORDER BY id', [ids]),
  ]);
  return { products, reservations, movements };
}

/** The audit invariant: the ledger of a product adds up to its on_hand. */
export async function ledgerTotal(orm: Orm, productId: string): Promise<number> {
  const [row] = await orm.em
    .fork()
    .execute<{ total: number }[]>('SELECT coalesce(sum(delta), 0)::int AS total FROM stock_movements WHERE product_id = ?', [productId]);
  return row.total;
}

export async function reservationCounts(orm: Orm, productId: string): Promise<Record<string, { rows: number; quantity: number }>> {
  const rows = await orm.em
    .fork()
    .execute<{ status: string; rows: number; quantity: number }[]>(
      'SELECT status, count(*)::int AS rows, sum(quantity)::int AS quantity FROM stock_reservations WHERE product_id = ? GROUP BY status',
      [productId],
    );
  return Object.fromEntries(rows.map((r) => [r.status, { rows: r.rows, quantity: r.quantity }]));
}

/**
 * Runs `start` while another transaction holds the product's row lock, and lets go only once `waiters`
 * statements are queued behind it. That makes the interleavings a concurrency test is about certain instead of
 * likely: every queued statement took its snapshot before any of them could commit.
 */
export async function whileRowLocked<T>(orm: Orm, productId: string, waiters: number, start: () => Promise<T>): Promise<T> {
  let started: Promise<T> | undefined;
  await orm.em.fork().transactional(async (tx) => {
    await tx.execute('SELECT id FROM products WHERE id = ? FOR UPDATE', [productId]);
    started = start();
    started.catch(() => undefined); // the caller awaits it below; this only avoids an unhandled-rejection warning
    await waitForLockWaiters(orm, waiters);
  });
  return started as Promise<T>;
}

async function waitForLockWaiters(orm: Orm, count: number): Promise<void> {
  const em = orm.em.fork();
  for (let attempt = 0; attempt < 1000; attempt++) {
    const [row] = await em.execute<{ waiting: number }[]>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%stock_reservations%'`,
    );
    if (row.waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} statements ever waited for the row lock`);
}
