import type { Order, OrderHistoryEntry, OrderRefund } from '../orders/entities';
import type { OrderViewConfig } from '../orders/order-view';
import { toOrderJson, toRefundJson } from '../orders/order-view';
import { fulfilmentFromJson } from '../shipping/fulfilment-rows';

/** What an outbox event carries: the order row as the status change left it (`to_jsonb` of the `orders` row). */
export type OrderSnapshot = Record<string, unknown>;

const date = (value: unknown) => new Date(value as string);

/** The snapshot (snake_case columns, as the trigger stored them) as the Order the API's view takes. */
export function orderFromSnapshot(row: OrderSnapshot): Order {
  return {
    id: row.id as string,
    workflowId: row.workflow_id as string,
    customerId: row.customer_id as string,
    customerEmail: row.customer_email as string,
    status: row.status as Order['status'],
    requestedItems: (row.requested_items ?? []) as Order['requestedItems'],
    lines: (row.lines ?? null) as Order['lines'],
    totalCents: (row.total_cents ?? null) as number | null,
    currency: (row.currency ?? null) as string | null,
    paymentStatus: row.payment_status as string,
    providerPaymentId: (row.provider_payment_id ?? null) as string | null,
    authorizedCents: Number(row.authorized_cents ?? 0),
    capturedCents: Number(row.captured_cents ?? 0),
    refundedCents: Number(row.refunded_cents ?? 0),
    refunds: (row.refunds ?? []) as Order['refunds'],
    dispute: (row.dispute ?? null) as Order['dispute'],
    // Snapshots from before Migration20261207001000_fulfilment have none: shown as nothing shipped.
    fulfilment: fulfilmentFromJson(row.fulfilment),
    failureReason: (row.failure_reason ?? null) as string | null,
    rejection: (row.rejection ?? null) as Order['rejection'],
    requestFingerprint: row.request_fingerprint as string,
    statusSeq: row.status_seq as number,
    traceId: (row.trace_id ?? null) as string | null,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/**
 * The body of an event's delivery: `{ type, timestamp, data: { order } }`, the order as GET /orders/{id} showed it
 * right after the change (its history up to that change); a refund.created event adds `data.refund`, the refund as
 * the API shows it. The same on every attempt.
 */
export function eventBody(
  event: { type: string; occurredAt: Date; snapshot: OrderSnapshot; seq: number; data?: Record<string, unknown> | null },
  history: { seq: number; status: string; reason: string | null; at: Date | string }[],
  config: OrderViewConfig,
): string {
  const entries: OrderHistoryEntry[] = history
    .filter((h) => h.seq <= event.seq)
    .map((h) => ({ orderId: event.snapshot.id as string, seq: h.seq, status: h.status as OrderHistoryEntry['status'], reason: h.reason, at: new Date(h.at) }));
  const order = toOrderJson(orderFromSnapshot(event.snapshot), entries, config);
  const refund = event.data?.refund as OrderRefund | undefined;
  // shipment.dispatched and return.received name theirs; the snapshot's fulfilment holds it as the API shows it.
  const shipmentId = event.data?.shipmentId as string | undefined;
  const returnId = event.data?.returnId as string | undefined;
  const shipment = shipmentId ? order.shipments?.find((s) => s.id === shipmentId) : undefined;
  const orderReturn = returnId ? order.returns?.find((r) => r.id === returnId) : undefined;
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    data: { order, ...(refund ? { refund: toRefundJson(refund) } : {}), ...(shipment ? { shipment } : {}), ...(orderReturn ? { return: orderReturn } : {}) },
  });
}
