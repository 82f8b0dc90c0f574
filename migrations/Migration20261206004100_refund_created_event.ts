import { Migration } from '@mikro-orm/migrations';

/**
 * `refund.created` (docs/webhooks-out.md): an operator's refund recorded on an order is an outbound event too, written
 * by a trigger in the statement that appends it to the order's `refunds` (refund-store.ts), so it exists exactly when
 * the refund committed. The event keeps the refund as stored in `data` (the relay shows it as the API does); its
 * order snapshot and fan-out to endpoints are the status events'. Settling or restocking a refund rewrites an entry
 * without adding one: no event.
 */
export class Migration20261206004100_refund_created_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE webhook_events ADD COLUMN data jsonb NULL`);
    this.addSql(`
      CREATE FUNCTION webhook_outbox_refund_created() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refund jsonb;
        event bigint;
      BEGIN
        FOR refund IN
          SELECT r FROM jsonb_array_elements(NEW.refunds) r
          WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(OLD.refunds) o WHERE o->>'id' = r->>'id')
        LOOP
          INSERT INTO webhook_events (type, order_id, order_seq, order_snapshot, data)
          VALUES ('refund.created', NEW.id, NEW.status_seq, to_jsonb(NEW), jsonb_build_object('refund', refund))
          RETURNING id INTO event;
          INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
          SELECT event, e.id, NEW.id FROM webhook_endpoints e
          WHERE e.status = 'enabled' AND (e.events IS NULL OR 'refund.created' = ANY (e.events));
        END LOOP;
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER orders_webhook_outbox_refund_created AFTER UPDATE OF refunds ON orders
        FOR EACH ROW WHEN (jsonb_array_length(NEW.refunds) > jsonb_array_length(OLD.refunds)) EXECUTE FUNCTION webhook_outbox_refund_created()`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TRIGGER IF EXISTS orders_webhook_outbox_refund_created ON orders');
    this.addSql('DROP FUNCTION IF EXISTS webhook_outbox_refund_created()');
    this.addSql('ALTER TABLE webhook_events DROP COLUMN IF EXISTS data');
  }
}
