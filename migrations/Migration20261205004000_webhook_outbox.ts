import { Migration } from '@mikro-orm/migrations';

/**
 * Outbound webhooks (docs/webhooks-out.md): subscribers' endpoints, the transactional outbox of order events, and
 * one message per (event, endpoint) that the relay delivers.
 *
 * The event row is written by a trigger on `orders`, inside the transaction (indeed the statement) that changes the
 * status: an event exists exactly when its status change committed, whatever crashes. Its type is derived from the
 * status (`order.<status in lower case>`), so a status added to the state machine needs no change here. The trigger
 * also fans the event out to the endpoints enabled at that moment whose filter takes the type.
 */
export class Migration20261205004000_webhook_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE webhook_endpoints (
        id                      uuid           PRIMARY KEY,
        url                     text           NOT NULL,
        events                  text[]         NULL,
        description             text           NULL,
        status                  text           NOT NULL DEFAULT 'enabled',
        disabled_reason         text           NULL,
        secret_sealed           text           NOT NULL,
        previous_secret_sealed  text           NULL,
        previous_secret_until   timestamptz(3) NULL,
        created_at              timestamptz(3) NOT NULL DEFAULT now(),
        updated_at              timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhook_endpoints_status_known CHECK (status IN ('enabled', 'disabled'))
      )`);
    this.addSql(`
      CREATE TABLE webhook_events (
        id              bigint         GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        uuid           NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        type            text           NOT NULL,
        order_id        uuid           NOT NULL,
        order_seq       integer        NOT NULL,
        order_snapshot  jsonb          NOT NULL,
        occurred_at     timestamptz(3) NOT NULL DEFAULT clock_timestamp()
      )`);
    this.addSql(`CREATE INDEX webhook_events_occurred_idx ON webhook_events (occurred_at)`);
    this.addSql(`CREATE INDEX webhook_events_order_idx ON webhook_events (order_id, id)`);
    this.addSql(`
      CREATE TABLE webhook_messages (
        id               uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id         bigint         NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
        endpoint_id      uuid           NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        order_id         uuid           NOT NULL,
        status           text           NOT NULL DEFAULT 'pending',
        attempts         jsonb          NOT NULL DEFAULT '[]',
        attempt_count    integer        NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz(3) NOT NULL DEFAULT now(),
        lease_until      timestamptz(3) NULL,
        created_at       timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        finished_at      timestamptz(3) NULL,
        CONSTRAINT webhook_messages_status_known CHECK (status IN ('pending', 'delivered', 'failed'))
      )`);
    // The relay's claim: due pending messages, and (per endpoint and order) whether an earlier one is still pending.
    this.addSql(`CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at) WHERE status = 'pending'`);
    this.addSql(`CREATE INDEX webhook_messages_order_idx ON webhook_messages (endpoint_id, order_id, event_id) WHERE status = 'pending'`);
    // Operators list an endpoint's messages newest first; retention prunes delivered ones by age.
    this.addSql(`CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id, created_at DESC, id)`);
    this.addSql(`CREATE INDEX webhook_messages_listing_idx ON webhook_messages (created_at DESC, id)`);
    this.addSql(`CREATE INDEX webhook_messages_finished_idx ON webhook_messages (finished_at) WHERE status = 'delivered'`);

    this.addSql(`
      CREATE FUNCTION webhook_outbox_record() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        event_type text := 'order.' || lower(NEW.status);
        event bigint;
      BEGIN
        INSERT INTO webhook_events (type, order_id, order_seq, order_snapshot)
        VALUES (event_type, NEW.id, NEW.status_seq, to_jsonb(NEW))
        RETURNING id INTO event;
        INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
        SELECT event, e.id, NEW.id FROM webhook_endpoints e
        WHERE e.status = 'enabled' AND (e.events IS NULL OR event_type = ANY (e.events));
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER orders_webhook_outbox_insert AFTER INSERT ON orders
        FOR EACH ROW EXECUTE FUNCTION webhook_outbox_record()`);
    this.addSql(`
      CREATE TRIGGER orders_webhook_outbox_update AFTER UPDATE OF status ON orders
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION webhook_outbox_record()`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TRIGGER IF EXISTS orders_webhook_outbox_update ON orders');
    this.addSql('DROP TRIGGER IF EXISTS orders_webhook_outbox_insert ON orders');
    this.addSql('DROP FUNCTION IF EXISTS webhook_outbox_record()');
    this.addSql('DROP TABLE IF EXISTS webhook_messages');
    this.addSql('DROP TABLE IF EXISTS webhook_events');
    this.addSql('DROP TABLE IF EXISTS webhook_endpoints');
  }
}
