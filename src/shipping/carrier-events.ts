import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Orm } from '../db/orm';
import { NotFoundError } from '../errors';
import type { Logger } from '../logger';
import { isClosedWorkflow } from '../orders/temporal-errors';
import type { CarrierEvent } from '../wire/carrier-event';
import type { ShipmentEvent } from '../../workflows/order/definitions';
import { orderWorkflowId, shipmentEventSignal } from '../../workflows/order/definitions';

/** Our shipment a carrier's tracking number names, and its order. */
export interface TrackedShipment {
  shipmentId: string;
  orderId: string;
}

/** The shipment the carrier knows by `trackingNumber` (unique: the carrier answered it for one booking), if any. */
export async function findShipmentByTrackingNumber(em: EntityManager, trackingNumber: string): Promise<TrackedShipment | undefined> {
  const [row] = await em
    .getConnection()
    .execute<{ id: string; order_id: string }[]>(`SELECT id, order_id FROM shipments WHERE tracking_number = ?`, [trackingNumber]);
  return row && { shipmentId: row.id, orderId: row.order_id };
}

/** What delivering a carrier event uses. */
export interface CarrierEventDeps {
  temporal: Client;
  orm: Orm;
  logger: Logger;
}

/**
 * Hands a verified carrier event to its order's saga as a `shipmentEvent` signal (the saga ignores a duplicate by
 * event id). A tracking number we do not know is a NotFoundError: the saga records the shipment only once the carrier
 * has answered its tracking number, so a quick carrier's first webhook can come before that row; the carrier retries
 * (404) and the next delivery finds it. A saga that has closed has nothing left to move: acknowledged and ignored.
 * `aboutOrder` learns the order before the signal is sent (for the request's log lines).
 */
export async function deliverCarrierEvent(
  deps: CarrierEventDeps,
  event: CarrierEvent,
  aboutOrder?: (orderId: string) => void,
): Promise<{ outcome: 'signalled' | 'ignored'; orderId: string }> {
  const shipment = await findShipmentByTrackingNumber(deps.orm.em.fork(), event.data.trackingNumber);
  if (!shipment) throw new NotFoundError('shipment with tracking number', event.data.trackingNumber);
  const { orderId, shipmentId } = shipment;
  aboutOrder?.(orderId);
  const signal: ShipmentEvent = { eventId: event.id, type: event.type, shipmentId, at: event.data.at };
  try {
    await deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(shipmentEventSignal, signal);
    return { outcome: 'signalled', orderId };
  } catch (err) {
    if (!isClosedWorkflow(err)) throw err;
  }
  deps.logger.info({ orderId, workflowId: orderWorkflowId(orderId), shipmentId, eventId: event.id, type: event.type }, 'carrier event for a closed saga: ignored');
  return { outcome: 'ignored', orderId };
}
