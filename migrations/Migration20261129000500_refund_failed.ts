import { Migration } from '@mikro-orm/migrations';

/**
 * `refund_failed`: the provider reported after the fact that a refund did not go through, and the order waits for an
 * operator. The reason constraints are rewritten with it (still NOT VALID, so rows earlier versions wrote stay), and
 * the webhook inbox learns the delivery outcome `needs_attention`.
 */
const REASONS_BEFORE = [
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
];
const reasonKnown = (column: string, reasons: string[]) =>
  `${column} IS NULL OR ${column} IN (${reasons.join(', ')}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;

const OUTCOMES_BEFORE = `'received', 'signalled', 'refund_started', 'ignored', 'order_not_found', 'malformed', 'invalid_signature'`;

const CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

export class Migration20261129000500_refund_failed extends Migration {
  override async up(): Promise<void> {
    this.replaceConstraints([...REASONS_BEFORE, `'refund_failed'`]);
    this.replaceOutcomes(`${OUTCOMES_BEFORE}, 'needs_attention'`);
  }

  override async down(): Promise<void> {
    this.replaceConstraints(REASONS_BEFORE);
    this.replaceOutcomes(OUTCOMES_BEFORE);
  }

  private replaceOutcomes(outcomes: string): void {
    this.addSql(`ALTER TABLE payment_webhook_events DROP CONSTRAINT payment_webhook_events_outcome_known`);
    this.addSql(`ALTER TABLE payment_webhook_events ADD CONSTRAINT payment_webhook_events_outcome_known CHECK (outcome IN (${outcomes}))`);
  }

  private replaceConstraints(reasons: string[]): void {
    for (const { table, name, column } of CONSTRAINTS) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${reasonKnown(column, reasons)}) NOT VALID`);
    }
  }
}
