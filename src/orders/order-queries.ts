import type { EntityManager } from '@mikro-orm/postgresql';
import { plainQuery } from '../db/plain-sql';
import type { KeysetPosition } from '../db/keyset-cursor';
import type { OrderStatus } from '../../workflows/order/definitions';
import type { Order, OrderHistoryEntry } from './entities';
import { OrderHistorySchema, OrderSchema } from './entities';
import { fulfilmentFromJson } from '../shipping/fulfilment-rows';

export interface OrderWithHistory {
  order: Order;
  history: OrderHistoryEntry[];
}

/** The columns of `orders` an Order maps, in one place for the statement below. */
const ORDER_COLUMNS = [
  'id',
  'workflow_id',
  'customer_id',
  'customer_email',
  'status',
  'requested_items',
  'lines',
  'total_cents',
  'currency',
  'payment_status',
  'provider_payment_id',
  'failure_reason',
  'rejection',
  'idempotency_key',
  'request_fingerprint',
  'status_seq',
  'trace_id',
  'authorized_cents',
  'captured_cents',
  'refunded_cents',
  'refunds',
  'dispute',
  'created_at',
  'updated_at',
]
  .map((column) => `o.${column}`)
  .join(', ');

/**
 * One order with its history and fulfilment, in one statement of plain SQL: every placement answers with it and
 * clients poll it, and the unit of work's three queries and entity hydration cost more than they give to a read.
 */
export async function findOrder(em: EntityManager, id: string): Promise<OrderWithHistory | undefined> {
  const [row] = await plainQuery<OrderRow>(
    em,
    `SELECT ${ORDER_COLUMNS},
            coalesce((SELECT json_agg(json_build_object('seq', h.seq, 'status', h.status, 'reason', h.reason, 'at', h.at) ORDER BY h.seq)
                        FROM order_history h WHERE h.order_id = o.id), '[]') AS history,
            order_fulfilment(o.id) AS fulfilment
       FROM orders o WHERE o.id = $1`,
    [id],
  );
  if (!row) return undefined;
  return {
    // The same function the outbox snapshots use (Migration20261207001000_fulfilment), so both show one shape.
    order: { ...orderFromRow(row), fulfilment: fulfilmentFromJson(row.fulfilment) },
    history: row.history.map((h) => ({
      orderId: row.id,
      seq: h.seq,
      status: h.status,
      reason: h.reason,
      at: new Date(h.at),
    })),
  };
}

interface OrderRow {
  id: string;
  workflow_id: string;
  customer_id: string;
  customer_email: string;
  status: OrderStatus;
  requested_items: Order['requestedItems'];
  lines: Order['lines'];
  total_cents: number | null;
  currency: string | null;
  payment_status: string;
  provider_payment_id: string | null;
  failure_reason: string | null;
  rejection: Order['rejection'];
  idempotency_key: string | null;
  request_fingerprint: string;
  status_seq: number;
  trace_id: string | null;
  authorized_cents: number;
  captured_cents: number;
  refunded_cents: number;
  refunds: Order['refunds'];
  dispute: Order['dispute'];
  /** Text: the ORM's pool parses no timestamps (plain-sql.ts). */
  created_at: string;
  updated_at: string;
  history: { seq: number; status: OrderStatus; reason: string | null; at: string }[];
  fulfilment: unknown;
}

/** An `orders` row as the Order the rest of the service knows (what OrderSchema maps). */
function orderFromRow(row: OrderRow): Order {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    customerId: row.customer_id,
    customerEmail: row.customer_email,
    status: row.status,
    requestedItems: row.requested_items,
    lines: row.lines,
    totalCents: row.total_cents,
    currency: row.currency,
    paymentStatus: row.payment_status,
    providerPaymentId: row.provider_payment_id,
    failureReason: row.failure_reason,
    rejection: row.rejection,
    idempotencyKey: row.idempotency_key,
    requestFingerprint: row.request_fingerprint,
    statusSeq: row.status_seq,
    traceId: row.trace_id,
    authorizedCents: row.authorized_cents,
    capturedCents: row.captured_cents,
    refundedCents: row.refunded_cents,
    refunds: row.refunds,
    dispute: row.dispute,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface OrderListFilter {
  customerId: string;
  status?: OrderStatus;
  limit: number;
  after?: KeysetPosition;
}

/** A customer's orders, newest first, resumed after a (created_at, id) position: two queries whatever the page size. */
export async function listOrders(em: EntityManager, filter: OrderListFilter): Promise<{ items: OrderWithHistory[]; last?: KeysetPosition; more: boolean }> {
  const where: Record<string, unknown> = { customerId: filter.customerId };
  if (filter.status) where.status = filter.status;
  if (filter.after) {
    where.$or = [{ createdAt: { $lt: filter.after.createdAt } }, { createdAt: filter.after.createdAt, id: { $lt: filter.after.id } }];
  }
  const rows = await em.find(OrderSchema, where, {
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    limit: filter.limit + 1,
    disableIdentityMap: true,
  });
  const more = rows.length > filter.limit;
  const page = rows.slice(0, filter.limit);
  const history = page.length
    ? await em.find(OrderHistorySchema, { orderId: { $in: page.map((o) => o.id) } }, { orderBy: [{ orderId: 'asc' }, { seq: 'asc' }], disableIdentityMap: true })
    : [];
  const byOrder = new Map<string, OrderHistoryEntry[]>();
  for (const entry of history) byOrder.set(entry.orderId, [...(byOrder.get(entry.orderId) ?? []), entry]);
  const last = page.at(-1);
  return {
    items: page.map((order) => ({ order, history: byOrder.get(order.id) ?? [] })),
    last: last ? { createdAt: last.createdAt, id: last.id } : undefined,
    more,
  };
}
