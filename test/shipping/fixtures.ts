import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { insertOrder } from '../../src/orders/order-store';

/**
 * A shipment row as the dispatch activity leaves it, of an order of its own (a bare PENDING one: the carrier webhook
 * reads only the shipment and its order id).
 */
export async function insertShipment(
  orm: Orm,
  orderId: string = randomUUID(),
  trackingNumber = `SIM-${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
  shipmentId: string = randomUUID(),
): Promise<{ shipmentId: string; orderId: string; trackingNumber: string }> {
  const em = orm.em.fork();
  await insertOrder(em, {
    orderId,
    workflowId: `order-${orderId}`,
    customerId: 'carrier-test',
    customerEmail: 'carrier-test@example.com',
    items: [{ productId: randomUUID(), quantity: 1 }],
    requestFingerprint: 'carrier-test',
  });
  await em
    .getConnection()
    .execute(`INSERT INTO shipments (id, order_id, items, carrier, tracking_number) VALUES (?, ?, '[]'::jsonb, 'sim-post', ?)`, [shipmentId, orderId, trackingNumber]);
  return { shipmentId, orderId, trackingNumber };
}
