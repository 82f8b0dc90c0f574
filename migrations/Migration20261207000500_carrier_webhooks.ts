import { Migration } from '@mikro-orm/migrations';

/**
 * The carrier's webhooks (POST /webhooks/carrier) share the payment webhooks' inbox, under their own provider so
 * event ids cannot collide, and the ring of rejected deliveries, under their own route.
 */
export class Migration20261207000500_carrier_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE payment_webhook_events DROP CONSTRAINT payment_webhook_events_provider_known`);
    this.addSql(`ALTER TABLE payment_webhook_events ADD CONSTRAINT payment_webhook_events_provider_known CHECK (provider IN ('simulator', 'stripe', 'carrier'))`);
    this.addSql(`ALTER TABLE webhook_rejections DROP CONSTRAINT webhook_rejections_route_known`);
    this.addSql(`ALTER TABLE webhook_rejections ADD CONSTRAINT webhook_rejections_route_known CHECK (route IN ('/webhooks/payments', '/webhooks/stripe', '/webhooks/carrier'))`);
  }

  override async down(): Promise<void> {
    this.addSql(`DELETE FROM payment_webhook_events WHERE provider = 'carrier'`);
    this.addSql(`DELETE FROM webhook_rejections WHERE route = '/webhooks/carrier'`);
    this.addSql(`ALTER TABLE payment_webhook_events DROP CONSTRAINT payment_webhook_events_provider_known`);
    this.addSql(`ALTER TABLE payment_webhook_events ADD CONSTRAINT payment_webhook_events_provider_known CHECK (provider IN ('simulator', 'stripe'))`);
    this.addSql(`ALTER TABLE webhook_rejections DROP CONSTRAINT webhook_rejections_route_known`);
    this.addSql(`ALTER TABLE webhook_rejections ADD CONSTRAINT webhook_rejections_route_known CHECK (route IN ('/webhooks/payments', '/webhooks/stripe'))`);
  }
}
