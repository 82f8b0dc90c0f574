import type { EntityManager } from '@mikro-orm/postgresql';
import type { KeysetPosition } from '../db/keyset-cursor';
import type { OrderStatus } from '../../workflows/order/definitions';
import type { Order, OrderHistoryEntry } from './entities';
import { OrderHistorySchema, OrderSchema } from './entities';
import { fulfilmentFromJson } from '../shipping/fulfilment-rows';

export interface OrderWithHistory {
  order: Order;
  history: OrderHistoryEntry[];
}

export async function findOrder(em: EntityManager, id: string): Promise<OrderWithHistory | undefined> {
  const order = await em.findOne(OrderSchema, { id }, { disableIdentityMap: true });
  if (!order) return undefined;
  const history = await em.find(OrderHistorySchema, { orderId: id }, { orderBy: { seq: 'asc' }, disableIdentityMap: true });
  // The same function the outbox snapshots use (Migration20261207001000_fulfilment), so both show one shape.
  const [row] = await em.execute<{ fulfilment: unknown }[]>(`SELECT order_fulfilment(?) AS fulfilment`, [id]);
  return { order: { ...order, fulfilment: fulfilmentFromJson(row?.fulfilment) }, history };
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
