import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog and stock: products, per-order stock reservations, and the append-only stock ledger.
 *
 * The invariants live in CHECK constraints so that no code path (ORM, raw SQL, a psql session) can oversell:
 * 0 <= reserved <= on_hand. Timestamps on products are timestamptz(3) because keyset pagination puts
 * created_at in the cursor and JavaScript dates carry milliseconds only; a microsecond value would not round-trip.
 */
export class Migration20261123000100_catalog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE products (
        id          uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
        sku         text           NOT NULL,
        name        text           NOT NULL,
        price_cents integer        NOT NULL,
        currency    char(3)        NOT NULL,
        on_hand     integer        NOT NULL DEFAULT 0,
        reserved    integer        NOT NULL DEFAULT 0,
        active      boolean        NOT NULL DEFAULT true,
        created_at  timestamptz(3) NOT NULL DEFAULT now(),
        updated_at  timestamptz(3) NOT NULL DEFAULT now(),
        version     integer        NOT NULL DEFAULT 1,
        CONSTRAINT products_sku_key UNIQUE (sku),
        CONSTRAINT products_sku_length CHECK (char_length(sku) BETWEEN 1 AND 64),
        CONSTRAINT products_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT products_price_cents_non_negative CHECK (price_cents >= 0),
        CONSTRAINT products_currency_iso4217 CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT products_on_hand_non_negative CHECK (on_hand >= 0),
        CONSTRAINT products_reserved_non_negative CHECK (reserved >= 0),
        CONSTRAINT products_reserved_within_on_hand CHECK (reserved <= on_hand)
      )`);
    // Serves GET /products: active products in (created_at, id) order, resumed from a cursor.
    this.addSql(`CREATE INDEX products_active_listing_idx ON products (created_at, id) WHERE active`);

    // One row per (order, product). Restocking a refunded order is made idempotent by restocked_at: it is set in
    // the same statement that puts the quantity back on hand, and only rows where it is still NULL are restocked.
    // The status stays COMMITTED, because the sale did happen. unit_price_cents and currency are the catalog
    // price when the reservation was made, so replaying reserveStock answers exactly what the first call did.
    this.addSql(`
      CREATE TABLE stock_reservations (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id         uuid        NOT NULL,
        product_id       uuid        NOT NULL REFERENCES products (id),
        quantity         integer     NOT NULL,
        unit_price_cents integer     NOT NULL,
        currency         char(3)     NOT NULL,
        status           text        NOT NULL DEFAULT 'ACTIVE',
        restocked_at     timestamptz NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_reservations_order_product_key UNIQUE (order_id, product_id),
        CONSTRAINT stock_reservations_quantity_positive CHECK (quantity > 0),
        CONSTRAINT stock_reservations_unit_price_non_negative CHECK (unit_price_cents >= 0),
        CONSTRAINT stock_reservations_status_known CHECK (status IN ('ACTIVE', 'RELEASED', 'COMMITTED')),
        CONSTRAINT stock_reservations_restock_after_commit CHECK (restocked_at IS NULL OR status = 'COMMITTED')
      )`);
    // No index on product_id alone: products are deactivated, never deleted, so the foreign key never needs one,
    // and every index is extra work inside the hot product's lock.

    // Every change to products.on_hand, so that sum(delta) per product equals on_hand and stock can be audited.
    this.addSql(`
      CREATE TABLE stock_movements (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        product_id uuid        NOT NULL REFERENCES products (id),
        delta      integer     NOT NULL,
        kind       text        NOT NULL,
        order_id   uuid        NULL,
        reason     text        NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_movements_kind_known CHECK (kind IN ('INITIAL', 'ADJUSTMENT', 'SALE', 'RESTOCK')),
        CONSTRAINT stock_movements_delta_sign CHECK (
          CASE kind
            WHEN 'INITIAL' THEN delta >= 0
            WHEN 'SALE' THEN delta < 0
            WHEN 'RESTOCK' THEN delta > 0
            ELSE delta <> 0
          END),
        CONSTRAINT stock_movements_order_for_sales CHECK ((kind IN ('SALE', 'RESTOCK')) = (order_id IS NOT NULL)),
        CONSTRAINT stock_movements_reason_for_adjustments CHECK (kind <> 'ADJUSTMENT' OR reason IS NOT NULL)
      )`);
    this.addSql(`CREATE INDEX stock_movements_product_id_idx ON stock_movements (product_id, id)`);
    this.addSql(`CREATE INDEX stock_movements_order_id_idx ON stock_movements (order_id) WHERE order_id IS NOT NULL`);

    // Append-only: an audit trail that can be edited is not one.
    this.addSql(`
      CREATE FUNCTION stock_movements_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'stock_movements is append-only (% rejected)', TG_OP USING ERRCODE = 'restrict_violation';
      END
      $$`);
    this.addSql(`
      CREATE TRIGGER stock_movements_append_only
        BEFORE UPDATE OR DELETE ON stock_movements
        FOR EACH ROW EXECUTE FUNCTION stock_movements_reject_change()`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS stock_movements`);
    this.addSql(`DROP FUNCTION IF EXISTS stock_movements_reject_change()`);
    this.addSql(`DROP TABLE IF EXISTS stock_reservations`);
    this.addSql(`DROP TABLE IF EXISTS products`);
  }
}
