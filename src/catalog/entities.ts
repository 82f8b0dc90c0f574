import { randomUUID } from 'node:crypto';
import type { OptionalProps } from '@mikro-orm/core';
import { EntitySchema } from '@mikro-orm/core';

// The tables are created by migrations/Migration20261123000100_catalog.ts; these schemas only map them.

export interface Product {
  [OptionalProps]?: 'id' | 'reserved' | 'active' | 'maxPerCustomer' | 'requiresShipping' | 'createdAt' | 'updatedAt' | 'version';
  id: string;
  sku: string;
  name: string;
  /** Integer minor units of `currency` (cents for USD/EUR). */
  priceCents: number;
  /** ISO 4217 code, upper case. */
  currency: string;
  onHand: number;
  reserved: number;
  active: boolean;
  /** Units one customer may hold in live orders; null: no limit (Migration20261205003100_purchase_limits). */
  maxPerCustomer: number | null;
  /** Whether its units are shipped after payment (Migration20261207001000_fulfilment). */
  requiresShipping: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const ProductSchema = new EntitySchema<Product>({
  name: 'Product',
  tableName: 'products',
  properties: {
    id: { type: 'uuid', primary: true, onCreate: () => randomUUID() },
    sku: { type: 'text', unique: 'products_sku_key' },
    name: { type: 'text' },
    priceCents: { type: 'integer' },
    currency: { type: 'string', columnType: 'char(3)' },
    onHand: { type: 'integer', default: 0 },
    reserved: { type: 'integer', default: 0 },
    active: { type: 'boolean', default: true },
    maxPerCustomer: { type: 'integer', nullable: true, default: null },
    requiresShipping: { type: 'boolean', default: false },
    // Milliseconds, to match the timestamptz(3) columns (see the migration).
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', columnType: 'timestamptz(3)', onCreate: () => new Date(), onUpdate: () => new Date() },
    // Raw-SQL stock updates bump it too, so an ORM flush never overwrites a newer row.
    version: { type: 'integer', version: true },
  },
});

export const RESERVATION_STATUSES = ['ACTIVE', 'RELEASED', 'COMMITTED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface StockReservation {
  [OptionalProps]?: 'id' | 'status' | 'createdAt' | 'updatedAt';
  id: string;
  orderId: string;
  product: Product;
  quantity: number;
  /** The catalog price when the reservation was made; a replayed reserveStock answers with it. */
  unitPriceCents: number;
  currency: string;
  status: ReservationStatus;
  /** Set once a refunded (COMMITTED) reservation has been put back on hand; makes restockOrder idempotent. */
  restockedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const StockReservationSchema = new EntitySchema<StockReservation>({
  name: 'StockReservation',
  tableName: 'stock_reservations',
  properties: {
    id: { type: 'uuid', primary: true, onCreate: () => randomUUID() },
    orderId: { type: 'uuid' },
    product: { kind: 'm:1', entity: () => ProductSchema },
    quantity: { type: 'integer' },
    unitPriceCents: { type: 'integer' },
    currency: { type: 'string', columnType: 'char(3)' },
    status: { enum: true, items: () => [...RESERVATION_STATUSES], type: 'text', default: 'ACTIVE' },
    restockedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ name: 'stock_reservations_order_product_key', properties: ['orderId', 'product'] }],
});

export const STOCK_MOVEMENT_KINDS = ['INITIAL', 'ADJUSTMENT', 'SALE', 'RESTOCK'] as const;
export type StockMovementKind = (typeof STOCK_MOVEMENT_KINDS)[number];

/** One row of the append-only stock ledger: sum(delta) over a product equals its on_hand. */
export interface StockMovement {
  [OptionalProps]?: 'id' | 'createdAt';
  id: string;
  product: Product;
  delta: number;
  kind: StockMovementKind;
  orderId?: string | null;
  reason?: string | null;
  createdAt: Date;
}

export const StockMovementSchema = new EntitySchema<StockMovement>({
  name: 'StockMovement',
  tableName: 'stock_movements',
  properties: {
    // bigint identity; MikroORM maps bigint to string so no precision is lost.
    id: { type: 'bigint', primary: true, autoincrement: true },
    product: { kind: 'm:1', entity: () => ProductSchema },
    delta: { type: 'integer' },
    kind: { enum: true, items: () => [...STOCK_MOVEMENT_KINDS], type: 'text' },
    orderId: { type: 'uuid', nullable: true },
    reason: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export const catalogEntities = [ProductSchema, StockReservationSchema, StockMovementSchema];
