import { Migration } from '@mikro-orm/migrations';

/**
 * Money and the order state machine in the database.
 *  - Money columns become bigint: an order total is bounded by MAX_ORDER_TOTAL_CENTS in the application, and a
 *    total the application lets through can no longer overflow the column (the reservation used to retry for ever
 *    on an int4 overflow).
 *  - The status and reason CHECK constraints list exactly what workflows/order/state-machine.ts defines
 *    (test/workflows/state-machine-db.test.ts compares them). The reason constraints are NOT VALID: they hold for
 *    every row written from now on, and leave rows written by earlier versions as they were.
 */
const STATUSES = `'PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED', 'REJECTED', 'CANCELLED', 'REFUNDED', 'NEEDS_ATTENTION'`;
const REASONS = [
  // declines
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  // rejections
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  // cancels
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  // needs attention, notes, and reasons earlier versions wrote
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
].join(', ');
const reasonKnown = (column: string) =>
  `${column} IS NULL OR ${column} IN (${REASONS}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;

export class Migration20261129000100_money extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE products ALTER COLUMN price_cents TYPE bigint`);
    this.addSql(`ALTER TABLE stock_reservations ALTER COLUMN unit_price_cents TYPE bigint`);
    this.addSql(`ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint`);

    this.addSql(`ALTER TABLE orders DROP CONSTRAINT orders_status_known`);
    this.addSql(`ALTER TABLE orders ADD CONSTRAINT orders_status_known CHECK (status IN (${STATUSES}))`);
    this.addSql(`ALTER TABLE order_history ADD CONSTRAINT order_history_status_known CHECK (status IN (${STATUSES}))`);
    this.addSql(`ALTER TABLE orders ADD CONSTRAINT orders_failure_reason_known CHECK (${reasonKnown('failure_reason')}) NOT VALID`);
    this.addSql(`ALTER TABLE order_history ADD CONSTRAINT order_history_reason_known CHECK (${reasonKnown('reason')}) NOT VALID`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE order_history DROP CONSTRAINT order_history_reason_known`);
    this.addSql(`ALTER TABLE orders DROP CONSTRAINT orders_failure_reason_known`);
    this.addSql(`ALTER TABLE order_history DROP CONSTRAINT order_history_status_known`);
    this.addSql(`ALTER TABLE orders ALTER COLUMN total_cents TYPE integer`);
    this.addSql(`ALTER TABLE stock_reservations ALTER COLUMN unit_price_cents TYPE integer`);
    this.addSql(`ALTER TABLE products ALTER COLUMN price_cents TYPE integer`);
  }
}
