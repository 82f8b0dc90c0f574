import type { Client as PgClient } from 'pg';

/**
 * The outbound webhook invariant: what a subscriber of every event received (its verified deliveries, told apart by
 * `webhook-id`) against the status changes that committed (order_history) and the operators' refunds recorded on
 * the orders. Every committed change and refund is delivered at least once, nothing is delivered that did not commit,
 * and an order's status changes first arrive in the order they happened.
 */

export const WEBHOOKS = {
  delivered: 'every committed status change is delivered at least once',
  noPhantom: 'no delivery of a status change that did not commit',
  inOrder: 'an order’s status changes first arrive in the order they happened',
  signed: 'every delivery carries a valid signature',
} as const;

/** One delivery as a receiver recorded it (the chaos run's, or the simulator's subscriber: GET /v1/subscribers/{id}/deliveries). */
export interface ReceivedDelivery {
  webhookId: string | null;
  body: string;
  verified: boolean;
  answeredWith: number;
}

/** One order_history row. */
export interface HistoryRow {
  order_id: string;
  seq: number;
  status: string;
  at: Date;
}

/** One operator's refund recorded on an order (an element of orders.refunds). */
export interface RefundRow {
  order_id: string;
  refund_id: string;
}

export interface WebhookStats {
  /** Committed status changes (history rows that changed the status, the order's first row included). */
  changes: number;
  /** Refunds recorded (each a refund.created event). */
  refunds: number;
  /** Shipments recorded and returns received (each a shipment.dispatched / return.received event). */
  shipments: number;
  receivedReturns: number;
  /** Deliveries the subscriber answered with a 2xx, and how many distinct webhook-ids they carried. */
  deliveries: number;
  distinct: number;
}

type Fail = (invariant: string, subject: string, detail: string) => void;

interface DeliveredEvent {
  type?: unknown;
  data?: { order?: { id?: unknown; status?: unknown; history?: { status?: unknown; at?: unknown }[] }; refund?: { id?: unknown }; shipment?: { id?: unknown }; return?: { id?: unknown } };
}

/** The change an event names: its order, and the last row of the order's history as the delivery showed it (its own). */
function changeOf(event: DeliveredEvent): { orderId: string; status: unknown; at: unknown; type: unknown } | undefined {
  const order = event.data?.order;
  if (typeof order?.id !== 'string' || !Array.isArray(order.history) || order.history.length === 0) return undefined;
  const last = order.history[order.history.length - 1];
  return { orderId: order.id, status: order.status, at: last.at, type: event.type };
}

/**
 * The status changes an order's history rows made, in sequence: a row changed the order when its status differs from
 * the one before, and its write was not beaten by a later step (the orders row takes a status only over a lower
 * `status_seq`, so a row written after a higher seq was written changed nothing).
 */
export function committedChanges(rows: HistoryRow[]): HistoryRow[] {
  const bySeq = [...rows].sort((a, b) => a.seq - b.seq);
  const applied = bySeq.filter((row, i) => !bySeq.slice(i + 1).some((later) => new Date(later.at) < new Date(row.at)));
  return applied.filter((row, i) => i === 0 || row.status !== applied[i - 1].status);
}

/** Checks the deliveries against the history rows and refunds (any order), reporting each breach once per order or delivery. */
export function checkWebhookDeliveries(
  history: HistoryRow[],
  refunds: RefundRow[],
  deliveries: ReceivedDelivery[],
  fail: Fail,
  /** Goods that ship: the shipments recorded and the returns received (each a shipment.dispatched / return.received event). */
  parts: { shipments: ReadonlySet<string>; receivedReturns: ReadonlySet<string> } = { shipments: new Set(), receivedReturns: new Set() },
): WebhookStats {
  const rowsByOrder = new Map<string, HistoryRow[]>();
  for (const row of history) {
    const rows = rowsByOrder.get(row.order_id) ?? [];
    rows.push(row);
    rowsByOrder.set(row.order_id, rows);
  }
  const changesByOrder = new Map([...rowsByOrder].map(([orderId, rows]) => [orderId, committedChanges(rows)]));

  const accepted = deliveries.filter((d) => d.answeredWith >= 200 && d.answeredWith < 300);
  const seen = new Set<string>();
  /** Per order, the seqs of its changes in the order they first arrived. */
  const arrivals = new Map<string, number[]>();
  const recordedRefunds = new Set(refunds.map((r) => `${r.order_id} ${r.refund_id}`));
  const deliveredRefunds = new Set<string>();
  const deliveredParts = new Set<string>();
  for (const delivery of accepted) {
    const id = delivery.webhookId ?? '';
    if (!delivery.verified) fail(WEBHOOKS.signed, id || '(no webhook-id)', 'the signature did not verify with the endpoint’s secret');
    if (seen.has(id)) continue; // a redelivery (at least once): only the first arrival counts
    seen.add(id);
    let event: DeliveredEvent;
    try {
      event = JSON.parse(delivery.body) as DeliveredEvent;
    } catch {
      fail(WEBHOOKS.noPhantom, id, 'the body is not JSON');
      continue;
    }
    if (event.type === 'refund.created') {
      const refund = `${String(event.data?.order?.id)} ${String(event.data?.refund?.id)}`;
      if (recordedRefunds.has(refund)) deliveredRefunds.add(refund);
      else fail(WEBHOOKS.noPhantom, String(event.data?.order?.id ?? id), `refund.created of refund ${String(event.data?.refund?.id)}, which the order does not hold`);
      continue;
    }
    // A shipment's or a return's event is announced with the row it describes: that row must exist.
    if (event.type === 'shipment.dispatched' || event.type === 'return.received') {
      const partId = String((event.type === 'shipment.dispatched' ? event.data?.shipment : event.data?.return)?.id);
      const known = event.type === 'shipment.dispatched' ? parts.shipments : parts.receivedReturns;
      if (!known.has(partId)) fail(WEBHOOKS.noPhantom, String(event.data?.order?.id ?? id), `${event.type} of ${partId}, which the order does not hold`);
      else deliveredParts.add(`${event.type} ${partId}`);
      continue;
    }
    const change = changeOf(event);
    if (!change) {
      fail(WEBHOOKS.noPhantom, id, 'no order with a history in the body');
      continue;
    }
    // The change is the committed one with the same status and time (the history's `at` as the API shows it).
    const row = changesByOrder.get(change.orderId)?.find((c) => c.status === change.status && new Date(c.at).toISOString() === change.at);
    if (!row || change.type !== `order.${row.status.toLowerCase()}`) {
      fail(WEBHOOKS.noPhantom, change.orderId, `${String(change.type)} of ${String(change.status)} at ${String(change.at)} is no committed status change of the order`);
      continue;
    }
    const seqs = arrivals.get(change.orderId) ?? [];
    seqs.push(row.seq);
    arrivals.set(change.orderId, seqs);
  }

  let changes = 0;
  for (const [orderId, committed] of changesByOrder) {
    const arrived = arrivals.get(orderId) ?? [];
    const missing = committed.filter((c) => !arrived.includes(c.seq));
    changes += committed.length;
    if (missing.length > 0) fail(WEBHOOKS.delivered, orderId, `never delivered: ${missing.map((r) => `order.${r.status.toLowerCase()} (#${r.seq})`).join(', ')}`);
    if (arrived.some((seq, i) => i > 0 && seq < arrived[i - 1])) {
      const statusOf = (seq: number) => committed.find((c) => c.seq === seq)?.status;
      fail(WEBHOOKS.inOrder, orderId, `first arrivals by history row: ${arrived.map((seq) => `#${seq} ${statusOf(seq)}`).join(', ')}`);
    }
  }
  for (const refund of refunds) {
    if (!deliveredRefunds.has(`${refund.order_id} ${refund.refund_id}`)) fail(WEBHOOKS.delivered, refund.order_id, `never delivered: refund.created of refund ${refund.refund_id}`);
  }
  for (const [type, ids] of [['shipment.dispatched', parts.shipments], ['return.received', parts.receivedReturns]] as const) {
    for (const partId of ids) if (!deliveredParts.has(`${type} ${partId}`)) fail(WEBHOOKS.delivered, partId, `never delivered: ${type} of ${partId}`);
  }
  return {
    changes,
    refunds: refunds.length,
    shipments: parts.shipments.size,
    receivedReturns: parts.receivedReturns.size,
    deliveries: accepted.length,
    distinct: seen.size,
  };
}

/** Reads every order's history and checks the deliveries against it. */
export async function checkDeliveriesAgainstHistory(db: PgClient, deliveries: ReceivedDelivery[], fail: Fail): Promise<WebhookStats> {
  const { rows } = await db.query<HistoryRow>('SELECT order_id, seq, status, at FROM order_history');
  const refunds = await db.query<RefundRow>(`SELECT o.id AS order_id, r->>'id' AS refund_id FROM orders o, jsonb_array_elements(o.refunds) r`);
  const shipments = await db.query<{ id: string }>('SELECT id FROM shipments');
  const received = await db.query<{ id: string }>(`SELECT id FROM order_returns WHERE status = 'received'`);
  return checkWebhookDeliveries(rows, refunds.rows, deliveries, fail, { shipments: new Set(shipments.rows.map((r) => r.id)), receivedReturns: new Set(received.rows.map((r) => r.id)) });
}
