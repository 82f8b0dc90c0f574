import type { OrderItemRequest, OrderReturn, Shipment } from '../../workflows/order/definitions';
import type { ReturnStatus, ShipmentStatus } from '../../workflows/order/state-machine';

/**
 * The fulfilment rows (Migration20261207001000_fulfilment) as the API shows them. The same shapes come from SQL as
 * rows (the stores) and as JSON (`order_fulfilment()`: GET /orders/{id} and the outbox snapshots), so both go
 * through here: timestamps become ISO 8601 in UTC, absent ones are left out.
 */

const iso = (value: unknown): string => new Date(value as string | Date).toISOString();
const isoIfAny = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : iso(value));

export interface ShipmentRow {
  id: string;
  order_id: string;
  status: ShipmentStatus;
  items: OrderItemRequest[];
  carrier: string;
  tracking_number: string;
  dispatched_at: Date | string;
  delivered_at: Date | string | null;
}

export function shipmentFromRow(row: ShipmentRow): Shipment {
  return toShipment({
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    items: row.items,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    dispatchedAt: row.dispatched_at,
    deliveredAt: row.delivered_at,
  });
}

/** A shipment from `order_fulfilment()`'s JSON (camelCase keys, timestamps as PostgreSQL prints them). */
export function toShipment(json: Record<string, unknown>): Shipment {
  const deliveredAt = isoIfAny(json.deliveredAt);
  return {
    id: json.id as string,
    orderId: json.orderId as string,
    status: json.status as ShipmentStatus,
    items: json.items as OrderItemRequest[],
    carrier: json.carrier as string,
    trackingNumber: json.trackingNumber as string,
    dispatchedAt: iso(json.dispatchedAt),
    ...(deliveredAt ? { deliveredAt } : {}),
  };
}

export interface ReturnRow {
  id: string;
  order_id: string;
  status: ReturnStatus;
  items: OrderItemRequest[];
  reason: string;
  refund_cents: string | number;
  received_items: OrderItemRequest[] | null;
  requested_at: Date | string;
  received_at: Date | string | null;
}

export function returnFromRow(row: ReturnRow): OrderReturn {
  return toOrderReturn({
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    items: row.items,
    reason: row.reason,
    refundCents: row.refund_cents,
    receivedItems: row.received_items,
    requestedAt: row.requested_at,
    receivedAt: row.received_at,
  });
}

export function toOrderReturn(json: Record<string, unknown>): OrderReturn {
  const receivedAt = isoIfAny(json.receivedAt);
  const receivedItems = json.receivedItems as OrderItemRequest[] | null | undefined;
  return {
    id: json.id as string,
    orderId: json.orderId as string,
    status: json.status as ReturnStatus,
    items: json.items as OrderItemRequest[],
    reason: json.reason as string,
    // bigint columns come back as strings.
    refundCents: Number(json.refundCents),
    ...(receivedItems ? { receivedItems } : {}),
    requestedAt: iso(json.requestedAt),
    ...(receivedAt ? { receivedAt } : {}),
  };
}

/** An order's shipments, returns and the units cancelled before dispatch (summed per product). */
export interface OrderFulfilment {
  shipments: Shipment[];
  returns: OrderReturn[];
  cancelledItems: OrderItemRequest[];
}

export const NO_FULFILMENT: OrderFulfilment = { shipments: [], returns: [], cancelledItems: [] };

/** `order_fulfilment(order_id)`'s JSON as the view takes it. */
export function fulfilmentFromJson(json: unknown): OrderFulfilment {
  const value = (json ?? {}) as { shipments?: Record<string, unknown>[]; returns?: Record<string, unknown>[]; cancelledItems?: OrderItemRequest[] };
  return {
    shipments: (value.shipments ?? []).map(toShipment),
    returns: (value.returns ?? []).map(toOrderReturn),
    cancelledItems: (value.cancelledItems ?? []).map((i) => ({ productId: i.productId, quantity: Number(i.quantity) })),
  };
}
