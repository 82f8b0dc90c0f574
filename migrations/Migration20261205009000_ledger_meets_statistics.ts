import { Migration } from '@mikro-orm/migrations';

/**
 * Where the payment ledger (Migration20261205001000) and the customer statistics and purchase limits
 * (Migration20261205003100/3200) meet:
 *  - the reason constraints list the union of both: `purchase_limit_exceeded`, `partial_refund`,
 *    `refunded_by_operator` (the purchase-limits migration rewrote them without the ledger's two);
 *  - a customer's money taken and given back follow the ledger's `captured_cents` and `refunded_cents`, so a partial
 *    refund counts for what it gave back (the status-based rule counted only whole refunds), and the statistics'
 *    trigger also fires when only those amounts change (a second partial refund keeps `payment_status`).
 */
const REASONS = [
  `'card_declined', 'insufficient_funds', 'payment_failed'`,
  `'insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'unsupported_payment_method'`,
  `'payment_timeout', 'payment_refused', 'payment_request_failed', 'customer_cancelled', 'cancelled_by_operator'`,
  `'payment_amount_mismatch', 'step_failed', 'refund_confirmed', 'payment_declined', 'voided'`,
  `'refund_failed'`,
  `'purchase_limit_exceeded'`,
  `'partial_refund', 'refunded_by_operator'`,
];
const reasonKnown = (column: string, reasons: string[]) =>
  `${column} IS NULL OR ${column} IN (${reasons.join(', ')}) OR ${column} LIKE 'compensation_failed:%' OR ${column} LIKE 'step_failed:%'`;
const CONSTRAINTS = [
  { table: 'orders', name: 'orders_failure_reason_known', column: 'failure_reason' },
  { table: 'order_history', name: 'order_history_reason_known', column: 'reason' },
];

export class Migration20261205009000_ledger_meets_statistics extends Migration {
  override async up(): Promise<void> {
    for (const { table, name, column } of CONSTRAINTS) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${reasonKnown(column, REASONS)}) NOT VALID`);
    }
    this.addSql(`
      CREATE OR REPLACE FUNCTION customer_stats_follow_order() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        inserted boolean := TG_OP = 'INSERT';
        items_delta bigint := order_items_bought(NEW.status, NEW.lines)
          - CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE order_items_bought(OLD.status, OLD.lines) END;
      BEGIN
        -- First, always: the customer's row, whose lock orders this customer's concurrent changes.
        INSERT INTO customer_stats AS c (customer_id, orders_total, items_bought, first_order_at, last_order_at)
        VALUES (NEW.customer_id, CASE WHEN inserted THEN 1 ELSE 0 END, items_delta,
                CASE WHEN inserted THEN NEW.created_at END, CASE WHEN inserted THEN NEW.created_at END)
        ON CONFLICT (customer_id) DO UPDATE SET
          orders_total = c.orders_total + EXCLUDED.orders_total,
          items_bought = c.items_bought + EXCLUDED.items_bought,
          first_order_at = least(c.first_order_at, EXCLUDED.first_order_at),
          last_order_at = greatest(c.last_order_at, EXCLUDED.last_order_at);

        IF inserted OR OLD.status IS DISTINCT FROM NEW.status THEN
          -- Two statements: an upsert's proposed row must pass the CHECK itself, so it can only add.
          IF NOT inserted THEN
            UPDATE customer_status_counts SET orders = orders - 1 WHERE customer_id = OLD.customer_id AND status = OLD.status;
          END IF;
          INSERT INTO customer_status_counts AS n (customer_id, status, orders) VALUES (NEW.customer_id, NEW.status, 1)
          ON CONFLICT (customer_id, status) DO UPDATE SET orders = n.orders + 1;
        END IF;

        INSERT INTO customer_spending AS m (customer_id, currency, paid_cents, refunded_cents)
        SELECT NEW.customer_id, d.currency, sum(d.paid), sum(d.refunded)
        FROM (VALUES
                (NEW.currency, NEW.captured_cents, NEW.refunded_cents),
                (CASE WHEN inserted THEN NULL ELSE OLD.currency END,
                 -OLD.captured_cents, -OLD.refunded_cents)
             ) AS d(currency, paid, refunded)
        WHERE d.currency IS NOT NULL
        GROUP BY d.currency
        HAVING sum(d.paid) <> 0 OR sum(d.refunded) <> 0
        ON CONFLICT (customer_id, currency) DO UPDATE SET
          paid_cents = m.paid_cents + EXCLUDED.paid_cents,
          refunded_cents = m.refunded_cents + EXCLUDED.refunded_cents;
        RETURN NULL;
      END
      $$`);
    this.addSql(`DROP TRIGGER customer_stats_on_update ON orders`);
    this.addSql(`
      CREATE TRIGGER customer_stats_on_update AFTER UPDATE ON orders FOR EACH ROW
        WHEN ((OLD.status, OLD.payment_status, OLD.total_cents, OLD.currency, OLD.lines, OLD.captured_cents, OLD.refunded_cents)
              IS DISTINCT FROM (NEW.status, NEW.payment_status, NEW.total_cents, NEW.currency, NEW.lines, NEW.captured_cents, NEW.refunded_cents))
        EXECUTE FUNCTION customer_stats_follow_order()`);
    // Counted again from the ledger (creating the trigger has locked out writes until this commits).
    this.addSql(`DELETE FROM customer_spending`);
    this.addSql(`
      INSERT INTO customer_spending (customer_id, currency, paid_cents, refunded_cents)
      SELECT customer_id, currency, sum(captured_cents), sum(refunded_cents)
      FROM orders WHERE currency IS NOT NULL GROUP BY customer_id, currency
      HAVING sum(captured_cents) <> 0 OR sum(refunded_cents) <> 0`);
  }

  override async down(): Promise<void> {
    // The status-based rule and the constraints as the migrations before this one left them come back with theirs.
    this.addSql(`SELECT 1`);
  }
}
