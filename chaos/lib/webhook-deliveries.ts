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
  /** Deliveries the subscriber answered with a 2xx, and how many distinct webhook-ids they carried. */
  deliveries: number;
  distinct: number;
}

type Fail = (invariant: string, subject: string, detail: string) => void;

interface DeliveredEvent {
  type?: unknown;
  data?: { order?: { id?: unknown; status?: unknown; history?: { status?: unknown; at?: unknown }[] }; refund?: { id?: unknown } };
}

/**
 * An event names its change by the order's history as the delivery showed it: that history ends with the change's
 * own row, so its length says which of the order's rows it is.
 */
function changeOf(event: DeliveredEvent): { orderId: string; position: number; status: unknown; at: unknown; type: unknown } | undefined {
  const order = event.data?.order;
  if (typeof order?.id !== 'string' || !Array.isArray(order.history) || order.history.length === 0) return undefined;
  const last = order.history[order.history.length - 1];
  return { orderId: order.id, position: order.history.length - 1, status: order.status, at: last.at, type: event.type };
}

/** Checks the deliveries against the history rows and refunds (any order), reporting each breach once per order or delivery. */
export function checkWebhookDeliveries(history: HistoryRow[], refunds: RefundRow[], deliveries: ReceivedDelivery[], fail: Fail): WebhookStats {
  const rowsByOrder = new Map<string, HistoryRow[]>();
  for (const row of [...history].sort((a, b) => a.seq - b.seq)) {
    const rows = rowsByOrder.get(row.order_id) ?? [];
    rows.push(row);
    rowsByOrder.set(row.order_id, rows);
  }
  const isChange = (rows: HistoryRow[], position: number) => position === 0 || rows[position].status !== rows[position - 1].status;

  const accepted = deliveries.filter((d) => d.answeredWith >= 200 && d.answeredWith < 300);
  const seen = new Set<string>();
  /** Per order, the positions of its changes in the order they first arrived. */
  const arrivals = new Map<string, number[]>();
  const recordedRefunds = new Set(refunds.map((r) => `${r.order_id} ${r.refund_id}`));
  const deliveredRefunds = new Set<string>();
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
    const change = changeOf(event);
    const rows = change && rowsByOrder.get(change.orderId);
    const row = change && rows?.[change.position];
    if (!change || !rows || !row) {
      fail(WEBHOOKS.noPhantom, change?.orderId ?? id, change ? `${String(change.type)}: the order has no history row #${change.position}` : 'no order with a history in the body');
      continue;
    }
    const expectedType = `order.${row.status.toLowerCase()}`;
    if (!isChange(rows, change.position) || change.type !== expectedType || change.status !== row.status || change.at !== new Date(row.at).toISOString()) {
      fail(WEBHOOKS.noPhantom, change.orderId, `${String(change.type)} (history row #${change.position}) is not the committed ${isChange(rows, change.position) ? expectedType : 'row, which changed no status'}`);
      continue;
    }
    const positions = arrivals.get(change.orderId) ?? [];
    positions.push(change.position);
    arrivals.set(change.orderId, positions);
  }

  let changes = 0;
  for (const [orderId, rows] of rowsByOrder) {
    const arrived = arrivals.get(orderId) ?? [];
    const missing = rows.filter((row, position) => isChange(rows, position) && !arrived.includes(position));
    changes += rows.filter((_, position) => isChange(rows, position)).length;
    if (missing.length > 0) fail(WEBHOOKS.delivered, orderId, `never delivered: ${missing.map((r) => `order.${r.status.toLowerCase()} (#${r.seq})`).join(', ')}`);
    if (arrived.some((position, i) => i > 0 && position < arrived[i - 1])) {
      fail(WEBHOOKS.inOrder, orderId, `first arrivals by history row: ${arrived.map((p) => `#${p} ${rows[p].status}`).join(', ')}`);
    }
  }
  for (const refund of refunds) {
    if (!deliveredRefunds.has(`${refund.order_id} ${refund.refund_id}`)) fail(WEBHOOKS.delivered, refund.order_id, `never delivered: refund.created of refund ${refund.refund_id}`);
  }
  return { changes, refunds: refunds.length, deliveries: accepted.length, distinct: seen.size };
}

/** Reads every order's history and checks the deliveries against it. */
export async function checkDeliveriesAgainstHistory(db: PgClient, deliveries: ReceivedDelivery[], fail: Fail): Promise<WebhookStats> {
  const { rows } = await db.query<HistoryRow>('SELECT order_id, seq, status, at FROM order_history');
  const refunds = await db.query<RefundRow>(`SELECT o.id AS order_id, r->>'id' AS refund_id FROM orders o, jsonb_array_elements(o.refunds) r`);
  return checkWebhookDeliveries(rows, refunds.rows, deliveries, fail);
}
