import type { Product } from './entities';

/** A product as every catalog endpoint answers it. */
export interface ProductJson {
  id: string;
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  onHand: number;
  reserved: number;
  /** What can still be ordered: onHand - reserved. */
  available: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toProductJson(product: Product): ProductJson {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    currency: product.currency,
    onHand: product.onHand,
    reserved: product.reserved,
    available: product.onHand - product.reserved,
    active: product.active,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
