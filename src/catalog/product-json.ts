import type { Product } from './entities';

/** A product as every catalog endpoint answers it: the row's public columns, timestamps as ISO strings. */
export type ProductJson = Pick<Product, 'id' | 'sku' | 'name' | 'priceCents' | 'currency' | 'onHand' | 'reserved' | 'active' | 'maxPerCustomer' | 'requiresShipping'> & {
  /** What can still be ordered: onHand - reserved. */
  available: number;
  createdAt: string;
  updatedAt: string;
};

export function toProductJson(product: Product): ProductJson {
  const { id, sku, name, priceCents, currency, onHand, reserved, active, maxPerCustomer, requiresShipping } = product;
  return {
    id,
    sku,
    name,
    priceCents,
    currency,
    onHand,
    reserved,
    available: onHand - reserved,
    active,
    maxPerCustomer: maxPerCustomer ?? null,
    requiresShipping: requiresShipping ?? false,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
