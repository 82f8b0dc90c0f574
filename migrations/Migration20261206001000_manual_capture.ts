import { Migration } from '@mikro-orm/migrations';

/**
 * Manual capture (PAYMENT_CAPTURE=manual): the reason constraints of orders and their history gain
 * `authorization_expired` (a capture refused because the hold lapsed: the order is cancelled) and the history notes
 * saying why a PAID order's money was captured (`capture_at_window_end`, `capture_before_hold_expires`,
 * `capture_by_operator`). Still NOT VALID, so rows earlier versions wrote stay. No column changes: the ledger
 * (authorized_cents, captured_cents) already holds an authorization apart from its capture.
 */
const REASONS_BEFORE = [
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
  `'refund_failed'`,
  `'partial_refund', 'refunded_by_operator'`, // Migration20261205001000_payment_ledger
  `'purchase_limit_exceeded'`, // Migration20261205003100_purchase_limits
];
const REASONS_ADDED = `'authorization_expired', 'capture_at_window_end', 'capture_before_hold_expires', 'capture_by_operator'`;
const reasonKnown = (column: string, reasons: string[]) =>
  `${column} IS NULL OR ${column} IN (${reasons.join(', ')}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;
const CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

export class Migration20261206001000_manual_capture extends Migration {
  override async up(): Promise<void> {
    this.replaceReasons([...REASONS_BEFORE, REASONS_ADDED]);
  }

  override async down(): Promise<void> {
    this.replaceReasons(REASONS_BEFORE);
  }

  private replaceReasons(reasons: string[]): void {
    for (const { table, name, column } of CONSTRAINTS) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${reasonKnown(column, reasons)}) NOT VALID`);
    }
  }
}
