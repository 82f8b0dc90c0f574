import type { Client as TemporalClient } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import '../../src/db/pg-types';
import { TERMINAL_STATUSES } from '../../workflows/order/state-machine';
import type { ReceivedDelivery, WebhookStats } from './webhook-deliveries';
import { checkDeliveriesAgainstHistory } from './webhook-deliveries';

/**
 * The invariant checker: reads the database, the payment provider (simulator) and Temporal, and lists every
 * breach of what the saga promises, however the run went. Usable on its own (chaos/check-invariants.ts).
 */
export interface CheckOptions {
  databaseUrl: string;
  simulatorUrl: string;
  /** Optional: without it, the "no open workflow for a finished order" check is skipped (and said so). */
  temporal?: TemporalClient;
  /** What clients were told, when the caller knows it (the chaos run does). */
  observed?: ClientObservations;
  /**
   * Optional: what a subscriber of every event since before the first order received, oldest first; checked against
   * the committed status changes (chaos/lib/webhook-deliveries.ts).
   */
  webhookDeliveries?: ReceivedDelivery[];
}

export interface ClientObservations {
  /** Per idempotency key ("customerId\u0000key"), every order id the API named in its answers. */
  keyed: Map<string, { customerId: string; key: string; orderIds: Set<string>; statuses: Set<number> }>;
  /** Orders a client got a 201 for. */
  acknowledged: Set<string>;
}

export interface Violation {
  invariant: string;
  subject: string;
  detail: string;
}

export interface InvariantReport {
  orders: number;
  byStatus: Record<string, number>;
  products: number;
  payments: number;
  notifications: number;
  openWorkflows: number | 'not checked';
  /** Outbound webhooks, when a subscriber was given. */
  webhooks?: WebhookStats;
  violations: Violation[];
  notes: string[];
}

interface OrderRow {
  id: string;
  status: string;
  total_cents: number | null;
  currency: string | null;
  customer_id: string;
  idempotency_key: string | null;
  captured_cents: number;
  refunded_cents: number;
}

interface ProviderPayment {
  id: string;
  orderId: string;
  status: string;
  amountCents: number;
  currency: string;
  /** What its refunds gave back (the simulator says since partial refunds); absent: all of it once `refunded`. */
  refundedCents?: number;
  /** Manual capture: what the capture took; absent until captured, and under automatic capture (the whole amount). */
  capturedCents?: number;
}

interface ProviderNotification {
  id: string;
  template: string;
  data: { orderId?: string; shipmentId?: string; returnId?: string };
}

const PAID_STATUSES = new Set(['PAID', 'COMPLETED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED']);
const UNPAID_STATUSES = new Set(['CANCELLED', 'REJECTED', 'REFUNDED']);

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

export async function checkInvariants(options: CheckOptions): Promise<InvariantReport> {
  const violations: Violation[] = [];
  const notes: string[] = [];
  const fail = (invariant: string, subject: string, detail: string) => violations.push({ invariant, subject, detail });

  const db = new PgClient({ connectionString: options.databaseUrl, application_name: 'invariant-checker' });
  await db.connect();
  let orders: OrderRow[];
  let productCount: number;
  let webhooks: WebhookStats | undefined;
  try {
    productCount = await checkStock(db, fail);
    await checkReservationsOfFinishedOrders(db, fail);
    orders = (await db.query<OrderRow>('SELECT id, status, total_cents, currency, customer_id, idempotency_key, captured_cents, refunded_cents FROM orders')).rows;
    await checkIdempotency(db, orders, options.observed, fail);
    await checkHistorySequence(db, fail);
    if (options.webhookDeliveries) webhooks = await checkDeliveriesAgainstHistory(db, options.webhookDeliveries, fail);
    else notes.push('no webhook subscriber given: outbound deliveries were not checked');
  } finally {
    await db.end();
  }

  const byStatus: Record<string, number> = {};
  for (const o of orders) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  for (const o of orders) {
    if (!TERMINAL_STATUSES.includes(o.status as never)) fail('every order ends in a terminal state', o.id, `still ${o.status}`);
  }

  const { items: payments } = await getJson<{ items: ProviderPayment[] }>(`${options.simulatorUrl}/v1/payments`);
  checkCharges(orders, payments, fail);
  const { items: notifications } = await getJson<{ items: ProviderNotification[] }>(`${options.simulatorUrl}/v1/notifications`);
  const perKind = new Map<string, number>();
  for (const n of notifications) {
    // Kinds that recur on one order (a shipment's, a return's) are one per what they are about.
    const key = `${n.data.orderId ?? '?'} ${n.template}${n.data.shipmentId ?? n.data.returnId ? ` ${n.data.shipmentId ?? n.data.returnId}` : ''}`;
    perKind.set(key, (perKind.get(key) ?? 0) + 1);
  }
  for (const [key, count] of perKind) if (count > 1) fail('at most one notification per (order, kind)', key, `${count} sent`);

  let openWorkflows: InvariantReport['openWorkflows'] = 'not checked';
  if (options.temporal) openWorkflows = await checkOpenWorkflows(options.temporal, orders, fail);
  else notes.push('Temporal not given: open workflows were not checked');

  return { orders: orders.length, byStatus, products: productCount, payments: payments.length, notifications: notifications.length, openWorkflows, webhooks, violations, notes };
}

type Fail = (invariant: string, subject: string, detail: string) => void;

/** reserved = ACTIVE reservations; onHand = the ledger's sum; the ledger agrees with the reservations; 0 ≤ reserved ≤ onHand. */
async function checkStock(db: PgClient, fail: Fail): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    on_hand: number;
    reserved: number;
    active_reserved: number;
    initial: number;
    adjustments: number;
    sold: number;
    restocked: number;
    held_qty: number;
    operator_restocked_qty: number;
  }>(`
    SELECT p.id, p.on_hand, p.reserved,
      COALESCE((SELECT sum(quantity) FROM stock_reservations s WHERE s.product_id = p.id AND s.status = 'ACTIVE'), 0)::int AS active_reserved,
      COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id AND m.kind = 'INITIAL'), 0)::int AS initial,
      COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id AND m.kind = 'ADJUSTMENT'), 0)::int AS adjustments,
      COALESCE((SELECT -sum(delta) FROM stock_movements m WHERE m.product_id = p.id AND m.kind = 'SALE'), 0)::int AS sold,
      COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id AND m.kind = 'RESTOCK'), 0)::int AS restocked,
      COALESCE((SELECT sum(quantity) FROM stock_reservations s WHERE s.product_id = p.id AND s.status = 'COMMITTED' AND s.restocked_at IS NULL), 0)::int AS held_qty,
      COALESCE((SELECT sum((i->>'quantity')::int) FROM orders o, jsonb_array_elements(o.refunds) r, jsonb_array_elements(r->'items') i
                WHERE r ? 'restockedAt' AND r->>'reason' NOT IN ('items_cancelled', 'return_received') AND i->>'productId' = p.id::text), 0)::int AS operator_restocked_qty
    FROM products p`);
  for (const p of rows) {
    if (p.reserved !== p.active_reserved) fail('reserved = sum of ACTIVE reservations', p.id, `reserved ${p.reserved}, ACTIVE reservations ${p.active_reserved}`);
    const ledger = p.initial + p.adjustments - p.sold + p.restocked;
    if (p.on_hand !== ledger) {
      fail('onHand = initial + adjustments − committed + restocked', p.id, `on_hand ${p.on_hand}, ledger ${p.initial} + ${p.adjustments} − ${p.sold} + ${p.restocked} = ${ledger}`);
    }
    // What left the shelf for good is what orders still hold: sales less restocks = the sold units no order gave back
    // (a restock of the whole order marks its lines restocked; a cancel of units or a received return shrinks them;
    // an operator's refund with restock leaves them and restocks its lines).
    const held = p.held_qty - p.operator_restocked_qty;
    if (p.sold - p.restocked !== held) {
      fail('sales less restocks = the units orders still hold', p.id, `SALE ${p.sold} − RESTOCK ${p.restocked} ≠ held ${p.held_qty} − operators' restocks ${p.operator_restocked_qty}`);
    }
    if (p.reserved < 0 || p.reserved > p.on_hand) fail('0 ≤ reserved ≤ onHand', p.id, `reserved ${p.reserved}, on_hand ${p.on_hand}`);
  }
  return rows.length;
}

/**
 * A finished order holds no stock: paid ones sold theirs, refunded ones put it back, the others released it. An
 * order refunded by operators' refunds keeps what they did not ask to restock. A free order, and under manual capture
 * an order cancelled while PAID with its authorization not captured (voided), sold its stock and put it back.
 */
async function checkReservationsOfFinishedOrders(db: PgClient, fail: Fail): Promise<void> {
  const { rows } = await db.query<{ id: string; status: string; free: boolean; operator_refunded: boolean; given_back: boolean; voided_after_paid: boolean; active: number; committed: number; restocked: number }>(`
    SELECT o.id, o.status, o.payment_status = 'not_required' AS free, jsonb_array_length(o.refunds) > 0 AS operator_refunded,
      (EXISTS (SELECT 1 FROM order_item_cancellations c WHERE c.order_id = o.id) OR EXISTS (SELECT 1 FROM order_returns r WHERE r.order_id = o.id AND r.status = 'received')) AS given_back,
      o.captured_cents = 0 AND EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id AND h.status = 'PAID') AS voided_after_paid,
      count(*) FILTER (WHERE s.status = 'ACTIVE')::int AS active,
      count(*) FILTER (WHERE s.status = 'COMMITTED' AND s.restocked_at IS NULL)::int AS committed,
      count(*) FILTER (WHERE s.restocked_at IS NOT NULL)::int AS restocked
    FROM orders o JOIN stock_reservations s ON s.order_id = o.id
    WHERE o.status IN ('COMPLETED', 'PAID', 'REFUNDED', 'CANCELLED', 'REJECTED')
    GROUP BY o.id, o.status, o.payment_status, o.refunds, o.captured_cents`);
  for (const r of rows) {
    const held = `${r.active} ACTIVE, ${r.committed} COMMITTED, ${r.restocked} restocked reservation line(s)`;
    if (r.active > 0) fail('a finished order holds no ACTIVE reservation', r.id, `${r.status} with ${held}`);
    // Units cancelled before dispatch or returned went back on the shelf: their lines may be restocked.
    if (PAID_STATUSES.has(r.status) && r.restocked > 0 && !r.given_back) fail('a paid order’s stock stays sold', r.id, `${r.status} with ${held}`);
    if (r.status === 'REFUNDED' && !r.operator_refunded && r.committed > 0) fail('a refunded order’s stock is back on hand', r.id, held);
    // A free order (nothing to pay) is sold when placed, an authorized one when authorized: cancelling it restocks that sale.
    const unsold = r.committed > 0 || (r.restocked > 0 && !r.free && !r.voided_after_paid);
    if ((r.status === 'CANCELLED' || r.status === 'REJECTED') && unsold) fail('an unpaid order sold nothing', r.id, `${r.status} with ${held}`);
  }
}

/**
 * The answers to one key's requests agree: one final status code. A 202 is provisional (the placement outran
 * PLACEMENT_DEADLINE and goes on), so a replay may answer what it came to (201, or 409 when stock ran out).
 */
export function answersAgree(statuses: Iterable<number>): boolean {
  return new Set([...statuses].filter((status) => status !== 202)).size <= 1;
}

/** One order per (customer, key), and every key's answers named that one order, which exists. */
async function checkIdempotency(db: PgClient, orders: OrderRow[], observed: ClientObservations | undefined, fail: Fail): Promise<void> {
  const { rows } = await db.query<{ customer_id: string; idempotency_key: string; n: number }>(
    `SELECT customer_id, idempotency_key, count(*)::int AS n FROM orders WHERE idempotency_key IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1`,
  );
  for (const r of rows) fail('an order placed with a key exists once', `${r.customer_id}/${r.idempotency_key}`, `${r.n} orders`);
  if (!observed) return;
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const entry of observed.keyed.values()) {
    const subject = `${entry.customerId}/${entry.key}`;
    if (entry.orderIds.size > 1) fail('every answer for one key names the same order', subject, [...entry.orderIds].join(', '));
    if (!answersAgree(entry.statuses)) fail('a replayed request gets the same status code', subject, [...entry.statuses].join(', '));
    for (const id of entry.orderIds) {
      const order = byId.get(id);
      if (!order) fail('an order placed with a key exists once', subject, `order ${id} is missing`);
      else if (order.idempotency_key !== entry.key || order.customer_id !== entry.customerId) fail('an order placed with a key exists once', subject, `order ${id} carries another key`);
    }
  }
  for (const id of observed.acknowledged) if (!byId.has(id)) fail('every acknowledged order exists', id, 'answered 201 but has no row');
}

export const HISTORY_IN_SEQUENCE = 'an order’s history rows are written in the order of their steps';

/**
 * A saga writes its steps' history rows in sequence. A row written after a row of a later step means the saga ran an
 * earlier step again after going past it (e.g. its progress was lost and it re-executed with another outcome): the
 * orders row ignored that write (its status_seq was already higher), so the order's statuses and its history disagree.
 */
async function checkHistorySequence(db: PgClient, fail: Fail): Promise<void> {
  const { rows } = await db.query<{ order_id: string; seq: number; status: string; at: Date; later_seq: number; later_status: string; later_at: Date }>(`
    SELECT DISTINCT ON (h.order_id) h.order_id, h.seq, h.status, h.at, l.seq AS later_seq, l.status AS later_status, l.at AS later_at
    FROM order_history h JOIN order_history l ON l.order_id = h.order_id AND l.seq > h.seq AND l.at < h.at
    ORDER BY h.order_id, h.seq`);
  for (const r of rows) {
    fail(HISTORY_IN_SEQUENCE, r.order_id, `#${r.seq} ${r.status} written at ${r.at.toISOString()}, after #${r.later_seq} ${r.later_status} at ${r.later_at.toISOString()}`);
  }
}

/** The money invariants, named as the saga promises them; each breach is reported once per order or charge. */
export const MONEY = {
  paidOnce: 'a paid order has exactly one succeeded, unrefunded charge',
  exactTotal: 'a paid order is charged its exact total',
  chargeBelongs: 'every succeeded charge belongs to exactly one PAID/COMPLETED order or is refunded',
  refundedProven: 'no order is REFUNDED without a refunded charge',
  cancelledKeepsNothing: 'no CANCELLED order holds a succeeded charge',
  nothingPending: 'a cancelled, rejected or refunded order has no charge still pending or authorized',
  ledgerMatches: 'a finished order’s captured − refunded is what the provider holds for it',
} as const;

/** What a charge took: the manual capture's amount, else (automatic capture) the whole amount. */
const capturedOf = (p: ProviderPayment) => p.capturedCents ?? p.amountCents;

/**
 * What the provider holds of a charge: what a succeeded or refunded charge captured, less what its refunds gave
 * back. An authorization not captured (manual capture) holds no money.
 */
function heldCents(p: ProviderPayment): number {
  if (p.status !== 'succeeded' && p.status !== 'refunded') return 0;
  return capturedOf(p) - (p.refundedCents ?? (p.status === 'refunded' ? capturedOf(p) : 0));
}

/**
 * From the orders' side: paid ones hold exactly one succeeded charge of their total; REFUNDED ones show a refunded
 * charge; CANCELLED ones hold no succeeded charge; no finished unpaid order leaves a charge pending. From the
 * charges' side: a succeeded charge is the one charge of a PAID/COMPLETED order (anything else must be refunded).
 */
function checkCharges(orders: OrderRow[], payments: ProviderPayment[], fail: Fail): void {
  const byOrder = new Map<string, ProviderPayment[]>();
  for (const p of payments) byOrder.set(p.orderId, [...(byOrder.get(p.orderId) ?? []), p]);
  const ordersById = new Map(orders.map((o) => [o.id, o]));
  const statuses = (charges: ProviderPayment[]) => charges.map((p) => p.status).join(', ') || 'none';

  for (const o of orders) {
    const charges = byOrder.get(o.id) ?? [];
    const succeeded = charges.filter((p) => p.status === 'succeeded');
    if (PAID_STATUSES.has(o.status)) {
      if (succeeded.length !== 1) fail(MONEY.paidOnce, o.id, `${o.status} with ${succeeded.length} (payments: ${statuses(charges)})`);
      // The total, or (manual capture of goods that ship) the total less units cancelled before the capture.
      else if (capturedOf(succeeded[0]) !== o.captured_cents || o.captured_cents > (o.total_cents ?? 0) || succeeded[0].currency !== o.currency) {
        fail(MONEY.exactTotal, o.id, `charged ${capturedOf(succeeded[0])} ${succeeded[0].currency}, captured ${o.captured_cents}, total ${o.total_cents} ${o.currency}`);
      }
    }
    if (o.status === 'REFUNDED' && !charges.some((p) => p.status === 'refunded')) fail(MONEY.refundedProven, o.id, `payments: ${statuses(charges)}`);
    if (o.status === 'CANCELLED' && succeeded.length > 0) fail(MONEY.cancelledKeepsNothing, o.id, `${succeeded.length} succeeded charge(s): ${succeeded.map((p) => p.id).join(', ')}`);
    // An authorization left open (manual capture) is a hold on the customer's money: it must be voided too.
    const pending = charges.filter((p) => p.status === 'pending' || p.status === 'authorized');
    if (UNPAID_STATUSES.has(o.status) && pending.length > 0) fail(MONEY.nothingPending, o.id, `${o.status} with ${pending.length} charge(s) still pending or authorized`);
    if (TERMINAL_STATUSES.includes(o.status as never)) {
      const held = charges.reduce((sum, p) => sum + heldCents(p), 0);
      const kept = o.captured_cents - o.refunded_cents;
      if (held !== kept) fail(MONEY.ledgerMatches, o.id, `${o.status}: captured ${o.captured_cents} − refunded ${o.refunded_cents} = ${kept}, the provider holds ${held}`);
    }
  }

  for (const p of payments) {
    if (p.status !== 'succeeded') continue;
    const order = ordersById.get(p.orderId);
    const siblings = (byOrder.get(p.orderId) ?? []).filter((q) => q.status === 'succeeded').length;
    if (!order) fail(MONEY.chargeBelongs, p.id, `order ${p.orderId} does not exist`);
    else if (!PAID_STATUSES.has(order.status)) fail(MONEY.chargeBelongs, p.id, `order ${order.id} is ${order.status}`);
    else if (siblings > 1) fail(MONEY.chargeBelongs, p.id, `order ${order.id} holds ${siblings} succeeded charges`);
  }
}

/** Running sagas of finished orders (confirmed by describe, not just the eventually consistent list), and refunds still open. */
async function checkOpenWorkflows(temporal: TemporalClient, orders: OrderRow[], fail: Fail): Promise<number> {
  const byId = new Map(orders.map((o) => [o.id, o]));
  let open = 0;
  for await (const wf of temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    open++;
    if (wf.type === 'refundLatePaymentWorkflow') {
      fail('no open workflow at the end', wf.workflowId, 'a late-payment refund is still running');
      continue;
    }
    if (wf.type !== 'orderWorkflow') continue;
    const order = byId.get(wf.workflowId.replace(/^order-/, ''));
    if (!order || !TERMINAL_STATUSES.includes(order.status as never)) continue; // unfinished orders are reported above
    const description = await temporal.workflow.getHandle(wf.workflowId).describe();
    if (description.status.name === 'RUNNING') fail('no open workflow for a finished order', wf.workflowId, `order is ${order.status}, workflow still running`);
  }
  return open;
}

/** The report as text: counts, then each violation (the first `limit`). */
export function formatReport(report: InvariantReport, limit = 50): string {
  const lines = [
    `orders: ${report.orders} (${Object.entries(report.byStatus)
      .sort()
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')})`,
    `products: ${report.products}, provider payments: ${report.payments}, notifications: ${report.notifications}, open workflows: ${report.openWorkflows}`,
    ...(report.webhooks
      ? [
          `webhooks: ${report.webhooks.changes} committed status changes, ${report.webhooks.refunds} refunds, ${report.webhooks.shipments} shipments and ${report.webhooks.receivedReturns} received returns, ${report.webhooks.deliveries} deliveries received (${report.webhooks.distinct} distinct webhook-ids)`,
        ]
      : []),
    ...report.notes.map((n) => `note: ${n}`),
    `violations: ${report.violations.length}`,
    ...report.violations.slice(0, limit).map((v) => `  ✗ ${v.invariant} — ${v.subject}: ${v.detail}`),
  ];
  if (report.violations.length > limit) lines.push(`  … and ${report.violations.length - limit} more`);
  return lines.join('\n');
}
