import { Migration } from '@mikro-orm/migrations';

/**
 * Per-customer statistics (GET /customers/{customerId}/stats), kept by a trigger on `orders` in the same
 * transaction as every order insert and status write, so they are right the moment a status changes and read in
 * three primary-key lookups however many orders the customer has:
 *  - customer_stats: one row per customer — orders placed, items bought, first and last order. Every change for a
 *    customer upserts this row first, so its row lock orders a customer's concurrent changes (no deadlocks between
 *    the rows below).
 *  - customer_status_counts: orders per (customer, status).
 *  - customer_spending: per (customer, currency), the money taken and the money given back.
 * What one order contributes: money taken and given back = the payment ledger's `captured_cents` and `refunded_cents`
 * (Migration20261205001000_payment_ledger; a refund, partial or whole, counts for what it gave back); items bought =
 * the units of an order that is PAID or COMPLETED (order_items_bought()). The trigger adds the new row's contribution and takes away the old one's,
 * so any correction (a refund that failed after all, say) is followed too. Existing orders are counted here once.
 */
export class Migration20261205003200_customer_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE customer_stats (
        customer_id    text           PRIMARY KEY,
        orders_total   integer        NOT NULL DEFAULT 0,
        items_bought   bigint         NOT NULL DEFAULT 0,
        first_order_at timestamptz(3) NULL,
        last_order_at  timestamptz(3) NULL
      )`);
    this.addSql(`
      CREATE TABLE customer_status_counts (
        customer_id text    NOT NULL,
        status      text    NOT NULL,
        orders      integer NOT NULL,
        PRIMARY KEY (customer_id, status),
        CONSTRAINT customer_status_counts_non_negative CHECK (orders >= 0)
      )`);
    this.addSql(`
      CREATE TABLE customer_spending (
        customer_id    text    NOT NULL,
        currency       char(3) NOT NULL,
        paid_cents     bigint  NOT NULL DEFAULT 0,
        refunded_cents bigint  NOT NULL DEFAULT 0,
        PRIMARY KEY (customer_id, currency)
      )`);

    this.addSql(`
      CREATE FUNCTION order_items_bought(status text, lines jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN status IN ('PAID', 'COMPLETED') AND lines IS NOT NULL
                    THEN (SELECT coalesce(sum((l->>'quantity')::bigint), 0) FROM jsonb_array_elements(lines) l)
                    ELSE 0 END
      $$`);

    this.addSql(`
      CREATE FUNCTION customer_stats_follow_order() RETURNS trigger LANGUAGE plpgsql AS $$
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
    this.addSql(`CREATE TRIGGER customer_stats_on_insert AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION customer_stats_follow_order()`);
    this.addSql(`
      CREATE TRIGGER customer_stats_on_update AFTER UPDATE ON orders FOR EACH ROW
        WHEN ((OLD.status, OLD.captured_cents, OLD.refunded_cents, OLD.currency, OLD.lines)
              IS DISTINCT FROM (NEW.status, NEW.captured_cents, NEW.refunded_cents, NEW.currency, NEW.lines))
        EXECUTE FUNCTION customer_stats_follow_order()`);

    // The orders already there, counted once (creating the triggers has locked out writes until this commits).
    this.addSql(`
      INSERT INTO customer_stats (customer_id, orders_total, items_bought, first_order_at, last_order_at)
      SELECT customer_id, count(*), sum(order_items_bought(status, lines)), min(created_at), max(created_at) FROM orders GROUP BY customer_id`);
    this.addSql(`INSERT INTO customer_status_counts (customer_id, status, orders) SELECT customer_id, status, count(*) FROM orders GROUP BY customer_id, status`);
    this.addSql(`
      INSERT INTO customer_spending (customer_id, currency, paid_cents, refunded_cents)
      SELECT customer_id, currency, sum(captured_cents), sum(refunded_cents)
      FROM orders WHERE currency IS NOT NULL GROUP BY customer_id, currency
      HAVING sum(captured_cents) <> 0 OR sum(refunded_cents) <> 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER IF EXISTS customer_stats_on_update ON orders`);
    this.addSql(`DROP TRIGGER IF EXISTS customer_stats_on_insert ON orders`);
    this.addSql(`DROP FUNCTION IF EXISTS customer_stats_follow_order()`);
    this.addSql(`DROP FUNCTION IF EXISTS order_items_bought(text, jsonb)`);
    this.addSql(`DROP TABLE IF EXISTS customer_spending`);
    this.addSql(`DROP TABLE IF EXISTS customer_status_counts`);
    this.addSql(`DROP TABLE IF EXISTS customer_stats`);
  }
}
