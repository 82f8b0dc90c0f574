import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { found } from '../errors';
import type { Product } from './entities';
import { ProductSchema, StockMovementSchema } from './entities';
import { InsufficientStockError, InvalidStockRequestError, SkuTakenError } from './errors';
import { PG_INT_MAX } from './limits';
import { isUuid } from '../uuid';
import type { KeysetPosition } from '../db/keyset-cursor';

// Catalog administration and reads. Callers pass a fresh fork (orm.em.fork()) per request.

export interface NewProduct {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  /** Initial on_hand, recorded as the product's INITIAL ledger row. */
  stock: number;
  /** Units one customer may hold in live orders; null or absent: no limit. */
  maxPerCustomer?: number | null;
  /** Whether its units are shipped after payment; absent: false. */
  requiresShipping?: boolean;
}

export interface ProductChanges {
  name?: string;
  priceCents?: number;
  active?: boolean;
  maxPerCustomer?: number | null;
  requiresShipping?: boolean;
}

/** Creates a product and its INITIAL ledger row in one transaction. */
export async function createProduct(em: EntityManager, input: NewProduct): Promise<Product> {
  const product = em.create(ProductSchema, {
    sku: input.sku,
    name: input.name,
    priceCents: input.priceCents,
    currency: input.currency,
    onHand: input.stock,
    maxPerCustomer: input.maxPerCustomer ?? null,
    requiresShipping: input.requiresShipping ?? false,
  });
  em.create(StockMovementSchema, { product, delta: input.stock, kind: 'INITIAL', reason: 'product created' });
  try {
    await em.flush();
  } catch (err) {
    // sku is the only unique column a caller controls (ids are random uuids).
    if (err instanceof UniqueConstraintViolationException) throw new SkuTakenError(input.sku);
    throw err;
  }
  return product;
}

/** The product, or null for an unknown (or malformed) id; inactive products are returned too. */
export async function findProduct(em: EntityManager, id: string): Promise<Product | null> {
  return isUuid(id) ? em.findOne(ProductSchema, id) : null;
}

/**
 * Changes name, price or active under a row lock. The lock is needed because the ORM's update checks `version`,
 * which every reservation bumps; without it a busy product would fail with an optimistic-lock error.
 */
export async function updateProduct(em: EntityManager, id: string, changes: ProductChanges): Promise<Product> {
  return em.transactional(async (tx) => {
    const product = await lockProduct(tx, id);
    tx.assign(product, changes);
    return product;
  });
}

/**
 * Moves on_hand by `delta` under a row lock and appends an ADJUSTMENT ledger row. Stock that is reserved cannot
 * be adjusted away: on_hand may not drop below reserved.
 */
export async function adjustStock(em: EntityManager, id: string, delta: number, reason: string): Promise<Product> {
  return em.transactional(async (tx) => {
    const product = await lockProduct(tx, id);
    const onHand = product.onHand + delta;
    if (onHand < product.reserved) {
      throw new InsufficientStockError([{ productId: product.id, requested: -delta, available: product.onHand - product.reserved }]);
    }
    if (onHand > PG_INT_MAX) throw new InvalidStockRequestError(`on hand would exceed ${PG_INT_MAX}`);
    product.onHand = onHand;
    tx.create(StockMovementSchema, { product, delta, kind: 'ADJUSTMENT', reason });
    return product;
  });
}

/** Where a page of products resumes: the shared (created_at, id) keyset position. */
export type ProductPosition = KeysetPosition;

/**
 * One page of active products in (created_at, id) order, starting after `after`. Asks for one row more than the
 * page to learn whether there is a next page without a count.
 */
export async function listActiveProducts(
  em: EntityManager,
  page: { limit: number; after?: ProductPosition },
): Promise<{ items: Product[]; next?: ProductPosition }> {
  const qb = em.createQueryBuilder(ProductSchema, 'p').where({ active: true });
  // A row comparison, so the (created_at, id) WHERE active index serves both the filter and the order.
  if (page.after) qb.andWhere('(p.created_at, p.id) > (?, ?)', [page.after.createdAt, page.after.id]);
  const rows = await qb.orderBy({ createdAt: 'asc', id: 'asc' }).limit(page.limit + 1).getResult();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return rows.length > page.limit ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
}

async function lockProduct(em: EntityManager, id: string): Promise<Product> {
  return found(isUuid(id) ? await em.findOne(ProductSchema, id, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null, 'product', id);
}
