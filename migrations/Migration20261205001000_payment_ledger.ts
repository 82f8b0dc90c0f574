import { Migration } from '@mikro-orm/migrations';

/**
 * The order's payment ledger (issue #26): what the provider authorised, captured and refunded, in minor units, and
 * the refunds operators asked for (`refunds`, a JSON array kept on the order row, so the row lock that checks a
 * refund against what is left also records it). Orders written before are backfilled from their payment status:
 * `succeeded` captured the total, `refunded` gave it all back.
 *
 * The reason constraints gain `partial_refund` (a history note) and `refunded_by_operator` (a COMPLETED order whose
 * money all went back); still NOT VALID, so rows earlier versions wrote stay.
 */
const REASONS_BEFORE = [
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
  `'refund_failed'`,
];
const REASONS_ADDED = `'partial_refund', 'refunded_by_operator'`;
const reasonKnown = (column: string, reasons: string[]) =>
  `${column} IS NULL OR ${column} IN (${reasons.join(', ')}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;

const CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

export class Migration20261205001000_payment_ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders
      ADD COLUMN authorized_cents bigint NOT NULL DEFAULT 0,
      ADD COLUMN captured_cents bigint NOT NULL DEFAULT 0,
      ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0,
      ADD COLUMN refunds jsonb NOT NULL DEFAULT '[]'::jsonb`);
    this.addSql(`UPDATE orders SET authorized_cents = total_cents, captured_cents = total_cents,
      refunded_cents = CASE WHEN payment_status = 'refunded' THEN total_cents ELSE 0 END
      WHERE payment_status IN ('succeeded', 'refunded') AND status IN ('PAID', 'COMPLETED', 'REFUNDED', 'NEEDS_ATTENTION') AND total_cents IS NOT NULL`);
    // The money invariant, in the database: never more back than was taken, never more taken than was held.
    this.addSql(`ALTER TABLE orders ADD CONSTRAINT orders_ledger_sane CHECK (
      refunded_cents >= 0 AND captured_cents >= 0 AND refunded_cents <= captured_cents AND captured_cents <= authorized_cents)`);
    this.replaceConstraints([...REASONS_BEFORE, REASONS_ADDED]);
  }

  override async down(): Promise<void> {
    this.replaceConstraints(REASONS_BEFORE);
    this.addSql(`ALTER TABLE orders DROP CONSTRAINT orders_ledger_sane`);
    this.addSql(
      `ALTER TABLE orders DROP COLUMN refunds, DROP COLUMN refunded_cents, DROP COLUMN captured_cents, DROP COLUMN authorized_cents`,
    );
  }

  private replaceConstraints(reasons: string[]): void {
    for (const { table, name, column } of CONSTRAINTS) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${reasonKnown(column, reasons)}) NOT VALID`);
    }
  }
}
