import { Migration } from '@mikro-orm/migrations';

/**
 * Order admissions: one row per distinct order the API let through its per-customer and per-email limits. Every API
 * instance shares them, so the limits hold however many instances run; the order id as primary key makes a retried
 * or concurrent copy of one Idempotency-Key count once.
 */
export class Migration20261129000200_order_admissions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE order_admissions (
        order_id       uuid           PRIMARY KEY,
        customer_id    text           NOT NULL,
        customer_email text           NOT NULL,
        admitted_at    timestamptz(3) NOT NULL
      )`);
    // The sliding windows: this customer's (this email's) admissions of the last minute.
    this.addSql(`CREATE INDEX order_admissions_customer_idx ON order_admissions (customer_id, admitted_at)`);
    this.addSql(`CREATE INDEX order_admissions_email_idx ON order_admissions (customer_email, admitted_at)`);
    // The open-orders cap: a customer's orders still holding stock without payment.
    this.addSql(`CREATE INDEX orders_customer_open_idx ON orders (customer_id, created_at) WHERE status IN ('PENDING', 'RESERVED', 'AWAITING_PAYMENT')`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP INDEX IF EXISTS orders_customer_open_idx`);
    this.addSql(`DROP TABLE IF EXISTS order_admissions`);
  }
}
