import { Migration } from '@mikro-orm/migrations';

/**
 * Orders: the lasting record of every saga (it outlives Temporal's retention, so idempotent replays are answered
 * from here), the history of its status changes, and the notifications sent for it.
 */
export class Migration20261123000200_orders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE orders (
        id                  uuid           PRIMARY KEY,
        workflow_id         text           NOT NULL,
        customer_id         text           NOT NULL,
        customer_email      text           NOT NULL,
        status              text           NOT NULL,
        requested_items     jsonb          NOT NULL,
        lines               jsonb          NULL,
        total_cents         integer        NULL,
        currency            char(3)        NULL,
        payment_status      text           NOT NULL DEFAULT 'not_requested',
        provider_payment_id text           NULL,
        failure_reason      text           NULL,
        rejection           jsonb          NULL,
        idempotency_key     text           NULL,
        request_fingerprint text           NOT NULL,
        status_seq          integer        NOT NULL DEFAULT 0,
        created_at          timestamptz(3) NOT NULL DEFAULT now(),
        updated_at          timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT orders_status_known CHECK (status IN ('PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED',
          'REJECTED', 'CANCELLED', 'REFUNDED', 'NEEDS_ATTENTION')),
        CONSTRAINT orders_total_non_negative CHECK (total_cents >= 0),
        CONSTRAINT orders_currency_iso4217 CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    // GET /orders?customerId=…: newest first, resumed from a (created_at, id) cursor.
    this.addSql(`CREATE INDEX orders_customer_listing_idx ON orders (customer_id, created_at DESC, id DESC)`);
    // Operators and the invariant checker look for orders that are not finished.
    this.addSql(`CREATE INDEX orders_unfinished_idx ON orders (status) WHERE status NOT IN ('COMPLETED', 'REJECTED', 'CANCELLED', 'REFUNDED')`);

    // (order_id, seq) is the primary key so a retried status activity cannot write a history row twice.
    this.addSql(`
      CREATE TABLE order_history (
        order_id uuid           NOT NULL REFERENCES orders (id),
        seq      integer        NOT NULL,
        status   text           NOT NULL,
        reason   text           NULL,
        at       timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, seq)
      )`);

    this.addSql(`
      CREATE TABLE notifications (
        id                       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id                 uuid        NOT NULL,
        kind                     text        NOT NULL,
        idempotency_key          text        NOT NULL,
        recipient                text        NOT NULL,
        status                   text        NOT NULL,
        attempts                 integer     NOT NULL DEFAULT 1,
        last_error               text        NULL,
        provider_notification_id text        NULL,
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notifications_idempotency_key_key UNIQUE (idempotency_key),
        CONSTRAINT notifications_status_known CHECK (status IN ('SENT', 'FAILED'))
      )`);
    this.addSql(`CREATE INDEX notifications_status_idx ON notifications (status, created_at)`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS notifications');
    this.addSql('DROP TABLE IF EXISTS order_history');
    this.addSql('DROP TABLE IF EXISTS orders');
  }
}
