import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';

/**
 * Stand-ins for two schema changes this branch needs and may not write (migrations/ belongs to the lead), applied
 * by the tests that need them and harmless once the real migrations exist:
 *  - the webhook inbox and the rejections ring accept the carrier (provider `carrier`, route `/webhooks/carrier`);
 *  - a `shipments` table (the fulfilment migration's): created only when absent, with just the columns the carrier
 *    webhook reads, and dropped again by the test that created it.
 * Once the migrations are merged, allowCarrierWebhooks() finds nothing to widen and the shipments come from the
 * real table (insertShipment must then fill its other NOT NULL columns, or use the shipment store).
 */
export const CARRIER_WEBHOOK_CONSTRAINTS = [
  `ALTER TABLE payment_webhook_events DROP CONSTRAINT payment_webhook_events_provider_known`,
  `ALTER TABLE payment_webhook_events ADD CONSTRAINT payment_webhook_events_provider_known CHECK (provider IN ('simulator', 'stripe', 'carrier'))`,
  `ALTER TABLE webhook_rejections DROP CONSTRAINT webhook_rejections_route_known`,
  `ALTER TABLE webhook_rejections ADD CONSTRAINT webhook_rejections_route_known CHECK (route IN ('/webhooks/payments', '/webhooks/stripe', '/webhooks/carrier'))`,
];

const sql = <T extends object = object>(orm: Orm, text: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(text, params);

export async function allowCarrierWebhooks(orm: Orm): Promise<void> {
  const [row] = await sql<{ def: string }>(
    orm,
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'payment_webhook_events_provider_known'`,
  );
  if (row?.def.includes('carrier')) return;
  await orm.em.fork().transactional(async (em) => {
    for (const statement of CARRIER_WEBHOOK_CONSTRAINTS) await em.getConnection().execute(statement, [], 'run', em.getTransactionContext());
  });
}

/** Creates the `shipments` table when it does not exist; the returned function drops it again (only if created here). */
export async function shipmentsTable(orm: Orm): Promise<() => Promise<void>> {
  const [row] = await sql<{ exists: boolean }>(orm, `SELECT to_regclass('shipments') IS NOT NULL AS exists`);
  if (row.exists) return async () => undefined;
  await sql(orm, `CREATE TABLE shipments (id uuid PRIMARY KEY, order_id uuid NOT NULL, status text NOT NULL DEFAULT 'dispatched', tracking_number text UNIQUE)`);
  return async () => {
    await sql(orm, `DROP TABLE shipments`);
  };
}

/** A shipment of a new order id, known by a fresh tracking number. */
export async function insertShipment(orm: Orm, orderId: string = randomUUID()): Promise<{ shipmentId: string; orderId: string; trackingNumber: string }> {
  const shipment = { shipmentId: randomUUID(), orderId, trackingNumber: `SIM-${randomUUID().slice(0, 12).replace('-', '0').toUpperCase()}` };
  await sql(orm, `INSERT INTO shipments (id, order_id, tracking_number) VALUES (?, ?, ?)`, [shipment.shipmentId, orderId, shipment.trackingNumber]);
  return shipment;
}
