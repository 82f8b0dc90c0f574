import type { OrderItemRequest } from '../../workflows/order/definitions';
import type { Run } from '../db/raw-transaction';
import type { OrderRefund } from '../orders/entities';

/**
 * What a cancellation of undispatched units and a received return give back, inside their store's transaction:
 * the units to stock, the money to the payments ledger. Each caller runs these once per cancellation or return (its
 * own row, locked or just inserted, says whether it was done), so a retry never gives back twice.
 */

/**
 * Puts units back on hand, with a RESTOCK ledger row each (stock_movements), products locked in ascending id order
 * as every stock statement does. The order's sale (its COMMITTED reservation) shrinks by as much — a line given back
 * whole is marked restocked — so a later restock of the whole order (restockOrder) puts back only what is left, and
 * the units no longer count as the customer's (purchase limits, the chaos checker's stock invariant).
 */
export async function restockUnits(run: Run, orderId: string, items: readonly OrderItemRequest[]): Promise<void> {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId.toLowerCase(), (merged.get(item.productId.toLowerCase()) ?? 0) + item.quantity);
  for (const [productId, quantity] of [...merged].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (quantity <= 0) continue;
    await run(
      `UPDATE stock_reservations SET quantity = CASE WHEN quantity > ? THEN quantity - ? ELSE quantity END,
         restocked_at = CASE WHEN quantity > ? THEN restocked_at ELSE now() END, updated_at = now()
       WHERE order_id = ? AND product_id = ? AND status = 'COMMITTED' AND restocked_at IS NULL`,
      [quantity, quantity, quantity, orderId, productId],
    );
    await run(`UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = now() WHERE id = ?`, [quantity, productId]);
    await run(`INSERT INTO stock_movements (product_id, delta, kind, order_id) VALUES (?, ?, 'RESTOCK', ?)`, [productId, quantity, orderId]);
  }
}

/** A refund the provider made for a cancellation or a return, as the ledger keeps it. */
export interface LedgerRefund {
  /** The cancellation's or return's id. */
  id: string;
  /** The provider's idempotency key (`cancel:{id}`, `return:{id}`). */
  key: string;
  amountCents: number;
  reason: 'items_cancelled' | 'return_received';
  items: OrderItemRequest[];
  providerRefundId: string;
}

/**
 * Appends the refund to the order's `refunds` (as an operator's refund is: GET /orders/{id} lists it, later refunds
 * count it, `refund.created` is sent) and adds it to `refunded_cents`, `payment_status` following: `refunded` once
 * everything captured is back, `partially_refunded` before. Its units were restocked by the caller (`restock`).
 * Nothing when the order has it already.
 */
export async function recordLedgerRefund(run: Run, orderId: string, refund: LedgerRefund): Promise<void> {
  const now = new Date().toISOString();
  const entry: OrderRefund = {
    id: refund.id,
    key: refund.key,
    fingerprint: refund.key,
    amountCents: refund.amountCents,
    reason: refund.reason,
    status: 'succeeded',
    items: refund.items.map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity })),
    restock: true,
    providerRefundId: refund.providerRefundId,
    restockedAt: now,
    createdAt: now,
  };
  await run(
    `UPDATE orders SET refunds = refunds || ?::jsonb, refunded_cents = refunded_cents + ?,
       payment_status = CASE WHEN refunded_cents + ? >= captured_cents THEN 'refunded' ELSE 'partially_refunded' END, updated_at = now()
     WHERE id = ? AND NOT refunds @> ?::jsonb`,
    [JSON.stringify([entry]), refund.amountCents, refund.amountCents, orderId, JSON.stringify([{ id: refund.id }])],
  );
}

/**
 * After the saga's status change (whose payment status it chose before the provider answered): `payment_status`
 * says what the ledger holds, so the two never disagree.
 */
export async function paymentStatusFollowsLedger(run: Run, orderId: string): Promise<void> {
  await run(
    `UPDATE orders SET payment_status = CASE WHEN refunded_cents >= captured_cents THEN 'refunded' ELSE 'partially_refunded' END
     WHERE id = ? AND refunded_cents > 0`,
    [orderId],
  );
}
