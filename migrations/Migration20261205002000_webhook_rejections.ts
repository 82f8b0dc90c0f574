import { Migration } from '@mikro-orm/migrations';

/**
 * Deliveries whose signature failed keep only what an operator needs (when, which route, how big, a digest of the
 * body, why), in a ring of fixed size: row `slot` is overwritten by the delivery `WEBHOOK_REJECTIONS_KEPT` later
 * (src/webhooks/rejections.ts), so however many arrive the table never grows past it. Their raw bodies, which anyone
 * could make the inbox store (up to 64 KiB each), go: the inbox keeps verified deliveries only from now on.
 */
export class Migration20261205002000_webhook_rejections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE webhook_rejections (
        slot         integer        PRIMARY KEY,
        received_at  timestamptz(3) NOT NULL,
        route        text           NOT NULL,
        size_bytes   integer        NOT NULL,
        body_sha256  text           NOT NULL,
        reason       text           NOT NULL,
        CONSTRAINT webhook_rejections_route_known CHECK (route IN ('/webhooks/payments', '/webhooks/stripe'))
      ) WITH (fillfactor = 50)`);
    // Deliveries are numbered in arrival order; the number modulo the ring's size is the slot they overwrite.
    this.addSql(`CREATE SEQUENCE webhook_rejections_seq AS bigint`);
    this.addSql(`DELETE FROM payment_webhook_events WHERE NOT signature_valid`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP SEQUENCE IF EXISTS webhook_rejections_seq');
    this.addSql('DROP TABLE IF EXISTS webhook_rejections');
  }
}
