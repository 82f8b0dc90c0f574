import type { EntityManager } from '@mikro-orm/postgresql';
import type { StatusChange } from '../../workflows/order/activity-types';
import type { OrderItemRequest, Shipment } from '../../workflows/order/definitions';
import type { Run } from '../db/raw-transaction';
import { autocommit, inTransaction } from '../db/raw-transaction';
import { recordStatusIn } from '../orders/order-store';
import { isUuid } from '../uuid';
import type { ShipmentRow } from './fulfilment-rows';
import { shipmentFromRow } from './fulfilment-rows';

/**
 * The shipments table (Migration20261207001000_fulfilment): plain SQL, each write one short transaction with the
 * order's status change, idempotent by the shipment's id. The carrier is asked before, never inside.
 */

/** What the saga learnt from the carrier for a dispatch: the row to record. */
export interface DispatchedShipment {
  id: string;
  orderId: string;
  items: OrderItemRequest[];
  carrier: string;
  trackingNumber: string;
}

/** How a status change moved the order (undefined: it was a repeat, or an older change than the order's). */
export type StatusWritten = { createdAt: Date; previousStatus: string } | undefined;

const COLUMNS = 'id, order_id, status, items, carrier, tracking_number, dispatched_at, delivered_at';

async function shipmentIn(run: Run, shipmentId: string): Promise<Shipment | undefined> {
  const [row] = await run<ShipmentRow[]>(`SELECT ${COLUMNS} FROM shipments WHERE id = ?`, [shipmentId]);
  return row && shipmentFromRow(row);
}

/** The shipment, or undefined for an unknown (or malformed) id. */
export async function findShipment(em: EntityManager, shipmentId: string): Promise<Shipment | undefined> {
  if (!isUuid(shipmentId)) return undefined;
  return shipmentIn(autocommit(em), shipmentId);
}

/** The carrier's webhooks name a shipment by its tracking number: which shipment, of which order, where it is. */
export async function findShipmentByTrackingNumber(
  em: EntityManager,
  trackingNumber: string,
): Promise<Pick<Shipment, 'id' | 'orderId' | 'status'> | undefined> {
  const [row] = await em
    .getConnection()
    .execute<Pick<ShipmentRow, 'id' | 'order_id' | 'status'>[]>(`SELECT id, order_id, status FROM shipments WHERE tracking_number = ?`, [trackingNumber]);
  return row && { id: row.id, orderId: row.order_id, status: row.status };
}

/**
 * Records a dispatch and the order's status change in one transaction. The insert is ON CONFLICT DO NOTHING and the
 * row read back, so a retry answers the shipment the first call recorded (its dispatch time included).
 */
export async function recordDispatch(
  em: EntityManager,
  shipment: DispatchedShipment,
  change: StatusChange,
): Promise<{ shipment: Shipment; status: StatusWritten }> {
  return inTransaction(em, async (run) => {
    await run(
      `INSERT INTO shipments (id, order_id, status, items, carrier, tracking_number) VALUES (?, ?, 'dispatched', ?::jsonb, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      [shipment.id, shipment.orderId, JSON.stringify(shipment.items), shipment.carrier, shipment.trackingNumber],
    );
    const status = await recordStatusIn(run, shipment.orderId, change);
    return { shipment: (await shipmentIn(run, shipment.id))!, status };
  });
}

/**
 * The carrier's word on a shipment, once: `in_transit` only from `dispatched` (never after a delivery), `delivered`
 * from either, at the time the carrier says. With `change`, the order's status (or note) in the same transaction.
 * Undefined when the order has no such shipment.
 */
export async function recordShipmentProgress(
  em: EntityManager,
  orderId: string,
  shipmentId: string,
  progress: 'in_transit' | 'delivered',
  at: string,
  change?: StatusChange,
): Promise<{ shipment: Shipment; status: StatusWritten } | undefined> {
  return inTransaction(em, async (run) => {
    if (progress === 'in_transit') {
      await run(`UPDATE shipments SET status = 'in_transit', in_transit_at = ?::timestamptz WHERE id = ? AND order_id = ? AND status = 'dispatched'`, [at, shipmentId, orderId]);
    } else {
      await run(
        `UPDATE shipments SET status = 'delivered', delivered_at = ?::timestamptz, in_transit_at = COALESCE(in_transit_at, ?::timestamptz)
         WHERE id = ? AND order_id = ? AND status <> 'delivered'`,
        [at, at, shipmentId, orderId],
      );
    }
    const shipment = await shipmentIn(run, shipmentId);
    if (!shipment || shipment.orderId !== orderId) return undefined;
    const status = change ? await recordStatusIn(run, orderId, change) : undefined;
    return { shipment, status };
  });
}
