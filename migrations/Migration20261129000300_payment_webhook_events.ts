import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook inbox: every delivery to POST /webhooks/payments and POST /webhooks/stripe, as received. A verified
 * event is stored once per (provider, event id), counting redeliveries, with what the service did with it: a
 * redelivery of a handled event is answered from here. Deliveries whose signature failed are kept too (for
 * forensics), but never take part in deduplication: anyone can send one, and a forged delivery must not be able
 * to claim the event id of a real one.
 */
export class Migration20261129000300_payment_webhook_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE payment_webhook_events (
        id               bigint         GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        provider         text           NOT NULL,
        event_id         text           NULL,
        event_type       text           NULL,
        raw_body         bytea          NOT NULL,
        signature_valid  boolean        NOT NULL,
        outcome          text           NOT NULL,
        order_id         text           NULL,
        deliveries       integer        NOT NULL DEFAULT 1,
        received_at      timestamptz(3) NOT NULL DEFAULT now(),
        last_received_at timestamptz(3) NOT NULL DEFAULT now(),
        handled_at       timestamptz(3) NULL,
        CONSTRAINT payment_webhook_events_provider_known CHECK (provider IN ('simulator', 'stripe')),
        CONSTRAINT payment_webhook_events_outcome_known CHECK (outcome IN ('received', 'signalled', 'refund_started',
          'ignored', 'order_not_found', 'malformed', 'invalid_signature'))
      )`);
    this.addSql(`
      CREATE UNIQUE INDEX payment_webhook_events_provider_event_key
        ON payment_webhook_events (provider, event_id) WHERE signature_valid`);
    // Operators look at recent deliveries, and at the ones still not handled.
    this.addSql(`CREATE INDEX payment_webhook_events_received_idx ON payment_webhook_events (received_at DESC)`);
    this.addSql(`
      CREATE INDEX payment_webhook_events_unhandled_idx ON payment_webhook_events (last_received_at)
        WHERE outcome IN ('received', 'order_not_found')`);

    // Stripe events about a charge or refund find their order by the PaymentIntent id when they carry no metadata.
    this.addSql(`CREATE INDEX orders_provider_payment_idx ON orders (provider_payment_id) WHERE provider_payment_id IS NOT NULL`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS orders_provider_payment_idx');
    this.addSql('DROP TABLE IF EXISTS payment_webhook_events');
  }
}
