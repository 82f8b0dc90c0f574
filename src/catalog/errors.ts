import { DomainError } from '../errors';

// Catalog failures. The codes are part of the API (src/api/error-codes.ts gives their statuses): keep them.

export interface StockShortfall {
  productId: string;
  requested: number;
  available: number;
}

/** Some lines cannot be served from available stock (on_hand - reserved); nothing was reserved or changed. */
export class InsufficientStockError extends DomainError {
  declare readonly details: StockShortfall[];

  constructor(shortfalls: StockShortfall[]) {
    super('insufficient_stock', `not enough stock for ${shortfalls.length} product(s)`, shortfalls);
    this.name = 'InsufficientStockError';
  }
}

export interface PurchaseLimitOverrun {
  productId: string;
  /** The product's maxPerCustomer. */
  limit: number;
  /** Units the customer already holds in live orders (any status but REJECTED, CANCELLED, REFUNDED). */
  held: number;
  requested: number;
}

/** The order would take the customer over a product's per-customer limit; nothing was reserved. */
export class PurchaseLimitExceededError extends DomainError {
  declare readonly details: PurchaseLimitOverrun[];

  constructor(overruns: PurchaseLimitOverrun[]) {
    super('purchase_limit_exceeded', `the order exceeds the per-customer limit of ${overruns.length} product(s)`, overruns);
    this.name = 'PurchaseLimitExceededError';
  }
}

/** The product does not exist or is not active, so it cannot be ordered. */
export class UnknownProductError extends DomainError {
  declare readonly details: { productId: string }[];

  constructor(productIds: string[]) {
    super('unknown_product', `unknown or inactive product(s): ${productIds.join(', ')}`, productIds.map((productId) => ({ productId })));
    this.name = 'UnknownProductError';
  }
}

/** One order must be priced in one currency. */
export class CurrencyMismatchError extends DomainError {
  declare readonly details: { productId: string; currency: string }[];

  constructor(lines: { productId: string; currency: string }[]) {
    super('currency_mismatch', 'the products of one order must share a currency', lines);
    this.name = 'CurrencyMismatchError';
  }
}

/** The order's total, priced from the catalog, is above MAX_ORDER_TOTAL_CENTS; nothing was reserved. */
export class OrderTotalTooLargeError extends DomainError {
  declare readonly details: { totalCents: string; maxTotalCents: number };

  constructor(totalCents: bigint, maxTotalCents: number) {
    super('order_total_too_large', `the order total (${totalCents} minor units) is above the largest allowed (${maxTotalCents})`, {
      totalCents: totalCents.toString(),
      maxTotalCents,
    });
    this.name = 'OrderTotalTooLargeError';
  }
}

export class SkuTakenError extends DomainError {
  constructor(sku: string) {
    super('sku_taken', `a product with sku "${sku}" already exists`, { sku });
    this.name = 'SkuTakenError';
  }
}

/** Input a caller should have validated (an activity passing a malformed order, say); answered as 400. */
export class InvalidStockRequestError extends DomainError {
  constructor(message: string) {
    super('validation_failed', message);
    this.name = 'InvalidStockRequestError';
  }
}
