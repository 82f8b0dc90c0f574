import { Migration } from '@mikro-orm/migrations';

/**
 * Per-customer purchase limits (products.max_per_customer, null: no limit), enforced by the reservation statement
 * under the product's row lock:
 *  - stock_reservations.customer_id: whose order a reservation belongs to, copied from the order when reserving, so
 *    what a customer holds of a product is one index range, not a walk over the customer's orders. Rows written
 *    before this migration get it from their order.
 *  - customer_units_held(customer, product): the units a customer holds of a product — reservations still ACTIVE,
 *    or COMMITTED and not restocked, i.e. the customer's orders that are neither rejected, cancelled nor refunded.
 *    VOLATILE on purpose: under READ COMMITTED a volatile function takes a fresh snapshot for its query, so called
 *    once the product row is locked it sees every reservation committed by whoever held the lock before; a CTE of
 *    the reservation statement itself would read the statement's older snapshot and miss them.
 *  - `purchase_limit_exceeded` joins the rejection reasons of orders and their history (NOT VALID, as before).
 */
const REASONS_BEFORE = [
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
  `'refund_failed'`,
  `'partial_refund', 'refunded_by_operator'`, // Migration20261205001000_payment_ledger
];
const reasonKnown = (column: string, reasons: string[]) =>
  `${column} IS NULL OR ${column} IN (${reasons.join(', ')}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;
const CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

export class Migration20261205003100_purchase_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE products ADD COLUMN max_per_customer integer NULL CONSTRAINT products_max_per_customer_positive CHECK (max_per_customer > 0)`);
    this.addSql(`ALTER TABLE stock_reservations ADD COLUMN customer_id text NULL`);
    this.addSql(`UPDATE stock_reservations s SET customer_id = o.customer_id FROM orders o WHERE o.id = s.order_id`);
    // What a customer holds of a product: the limit check reads one range of it.
    this.addSql(`CREATE INDEX stock_reservations_customer_product_idx ON stock_reservations (customer_id, product_id) WHERE customer_id IS NOT NULL`);
    this.addSql(`
      CREATE FUNCTION customer_units_held(customer text, product uuid) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RETURN (SELECT coalesce(sum(s.quantity), 0)::integer FROM stock_reservations s
                WHERE s.customer_id = customer AND s.product_id = product
                  AND (s.status = 'ACTIVE' OR (s.status = 'COMMITTED' AND s.restocked_at IS NULL)));
      END
      $$`);
    this.replaceReasons([...REASONS_BEFORE, `'purchase_limit_exceeded'`]);
  }

  override async down(): Promise<void> {
    this.replaceReasons(REASONS_BEFORE);
    this.addSql(`DROP FUNCTION IF EXISTS customer_units_held(text, uuid)`);
    this.addSql(`DROP INDEX IF EXISTS stock_reservations_customer_product_idx`);
    this.addSql(`ALTER TABLE stock_reservations DROP COLUMN customer_id`);
    this.addSql(`ALTER TABLE products DROP COLUMN max_per_customer`);
  }

  private replaceReasons(reasons: string[]): void {
    for (const { table, name, column } of CONSTRAINTS) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${reasonKnown(column, reasons)}) NOT VALID`);
    }
  }
}
