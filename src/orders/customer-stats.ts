import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderStatus } from '../../workflows/order/definitions';

/** What one customer has ordered and spent, as GET /customers/{customerId}/stats answers it. */
export interface CustomerStats {
  customerId: string;
  orders: { total: number; byStatus: Partial<Record<OrderStatus, number>> };
  /** Per currency, in minor units: money taken, money given back, and what was kept. */
  spent: { currency: string; paidCents: number; refundedCents: number; netCents: number }[];
  /** Units of the orders that are PAID or COMPLETED (free ones included). */
  itemsBought: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

/**
 * Reads the customer's summary rows, which a trigger on `orders` keeps in the same transaction as every order
 * insert and status write (migrations/Migration20261205003200_customer_stats.ts): three primary-key range reads, so
 * the answer is as fast for 10,000 orders as for one, and right as soon as a status is written. One statement, so
 * the three parts come from one snapshot. A customer with no orders has all zeros.
 */
export async function customerStats(em: EntityManager, customerId: string): Promise<CustomerStats> {
  const [row] = await em.getConnection().execute<StatsRow[]>(
    `SELECT
       (SELECT row_to_json(c) FROM (SELECT orders_total, items_bought, first_order_at, last_order_at FROM customer_stats WHERE customer_id = ?) c) AS summary,
       (SELECT coalesce(json_object_agg(status, orders ORDER BY status), '{}') FROM customer_status_counts WHERE customer_id = ? AND orders > 0) AS by_status,
       (SELECT coalesce(json_agg(json_build_object('currency', currency, 'paid', paid_cents, 'refunded', refunded_cents) ORDER BY currency), '[]')
          FROM customer_spending WHERE customer_id = ?) AS spent`,
    [customerId, customerId, customerId],
  );
  const summary = row.summary;
  return {
    customerId,
    orders: { total: summary?.orders_total ?? 0, byStatus: row.by_status },
    spent: row.spent.map((s) => {
      const paidCents = Number(s.paid);
      const refundedCents = Number(s.refunded);
      return { currency: s.currency, paidCents, refundedCents, netCents: paidCents - refundedCents };
    }),
    itemsBought: Number(summary?.items_bought ?? 0),
    firstOrderAt: summary?.first_order_at ? new Date(summary.first_order_at).toISOString() : null,
    lastOrderAt: summary?.last_order_at ? new Date(summary.last_order_at).toISOString() : null,
  };
}

interface StatsRow {
  summary: { orders_total: number; items_bought: number | string; first_order_at: string | null; last_order_at: string | null } | null;
  by_status: Partial<Record<OrderStatus, number>>;
  spent: { currency: string; paid: number | string; refunded: number | string }[];
}
