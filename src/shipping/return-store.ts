import type { EntityManager } from '@mikro-orm/postgresql';
import type { ItemsCancellation, ReturnOpening, StatusChange } from '../../workflows/order/activity-types';
import type { OrderItemRequest, OrderReturn } from '../../workflows/order/definitions';
import type { Run } from '../db/raw-transaction';
import { inTransaction } from '../db/raw-transaction';
import { recordStatusIn } from '../orders/order-store';
import { isUuid } from '../uuid';
import type { ReturnRow } from './fulfilment-rows';
import { returnFromRow } from './fulfilment-rows';
import type { LedgerRefund } from './give-back';
import { paymentStatusFollowsLedger, recordLedgerRefund, restockUnits } from './give-back';
import type { StatusWritten } from './shipment-store';

/**
 * Returns (order_returns) and cancellations of undispatched units (order_item_cancellations),
 * Migration20261207001000_fulfilment: plain SQL, each write one short transaction with the order's status change.
 * Idempotent by the return's or cancellation's id: its row says whether the units and the money went back, so a
 * retry gives back nothing twice. The provider is asked before, never inside.
 */

const COLUMNS = 'id, order_id, status, items, reason, refund_cents, received_items, requested_at, received_at';

/** The order's payment, as a refund of it needs. */
export interface OrderPayment {
  paymentId: string | null;
  currency: string;
  customerEmail: string;
}

export async function orderPayment(em: EntityManager, orderId: string): Promise<OrderPayment | undefined> {
  const [row] = await em
    .getConnection()
    .execute<{ provider_payment_id: string | null; currency: string | null; customer_email: string }[]>(
      `SELECT provider_payment_id, currency, customer_email FROM orders WHERE id = ?`,
      [orderId],
    );
  return row && { paymentId: row.provider_payment_id, currency: row.currency ?? '', customerEmail: row.customer_email };
}

async function returnIn(run: Run, returnId: string, lock = false): Promise<OrderReturn | undefined> {
  const [row] = await run<ReturnRow[]>(`SELECT ${COLUMNS} FROM order_returns WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [returnId]);
  return row && returnFromRow(row);
}

/** A return with its order's customer (who may see it), or undefined for an unknown (or malformed) id. */
export async function findReturn(em: EntityManager, returnId: string): Promise<(OrderReturn & { customerId: string }) | undefined> {
  if (!isUuid(returnId)) return undefined;
  const [row] = await em
    .getConnection()
    .execute<(ReturnRow & { customer_id: string })[]>(
      `SELECT r.id, r.order_id, r.status, r.items, r.reason, r.refund_cents, r.received_items, r.requested_at, r.received_at, o.customer_id
       FROM order_returns r JOIN orders o ON o.id = r.order_id WHERE r.id = ?`,
      [returnId],
    );
  return row && { ...returnFromRow(row), customerId: row.customer_id };
}

/** Records a return the customer asked for (`requested`); a retry answers the row the first call recorded. */
export async function insertReturn(em: EntityManager, opening: ReturnOpening): Promise<OrderReturn> {
  return inTransaction(em, async (run) => {
    await run(
      `INSERT INTO order_returns (id, order_id, status, items, reason, refund_cents) VALUES (?, ?, 'requested', ?::jsonb, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      [opening.returnId, opening.orderId, JSON.stringify(opening.items), opening.reason, opening.refundCents],
    );
    return (await returnIn(run, opening.returnId))!;
  });
}

/** What a receipt does: the units that came back, and the provider's refund of their price (none when free). */
export interface ReceiptToRecord {
  orderId: string;
  returnId: string;
  items: OrderItemRequest[];
  refund?: LedgerRefund;
}

/**
 * The warehouse received a return: under the return row's lock, once (from `requested`), the units go back in stock,
 * the refund into the ledger, and the return becomes `received`; then the order's status change. A return already
 * received only has its status change written (a retry whose first attempt stopped before). Undefined when the
 * order has no such return; a return that expired is answered as it is, nothing given back.
 */
export async function recordReceipt(
  em: EntityManager,
  receipt: ReceiptToRecord,
  change: StatusChange,
): Promise<{ orderReturn: OrderReturn; status: StatusWritten; received: boolean } | undefined> {
  return inTransaction(em, async (run) => {
    const current = await returnIn(run, receipt.returnId, true);
    if (!current || current.orderId !== receipt.orderId) return undefined;
    if (current.status === 'expired') return { orderReturn: current, status: undefined, received: false };
    const first = current.status === 'requested';
    if (first) {
      await restockUnits(run, receipt.orderId, receipt.items);
      if (receipt.refund) await recordLedgerRefund(run, receipt.orderId, receipt.refund);
      await run(`UPDATE order_returns SET status = 'received', received_items = ?::jsonb, received_at = now() WHERE id = ?`, [
        JSON.stringify(receipt.items),
        receipt.returnId,
      ]);
    }
    const status = await recordStatusIn(run, receipt.orderId, change);
    if (first && receipt.refund) await paymentStatusFollowsLedger(run, receipt.orderId);
    return { orderReturn: (await returnIn(run, receipt.returnId))!, status, received: first };
  });
}

/** Closes a return never received: `expired`, nothing restocked or refunded. A received return stays as it is. */
export async function expireReturn(em: EntityManager, orderId: string, returnId: string): Promise<OrderReturn | undefined> {
  return inTransaction(em, async (run) => {
    await run(`UPDATE order_returns SET status = 'expired', expired_at = now() WHERE id = ? AND order_id = ? AND status = 'requested'`, [returnId, orderId]);
    const current = await returnIn(run, returnId);
    return current && current.orderId === orderId ? current : undefined;
  });
}

/** A cancellation already recorded (by an earlier attempt): its amount and whether it was refunded. */
export async function findCancellation(em: EntityManager, cancellationId: string): Promise<{ amountCents: number; refunded: boolean } | undefined> {
  if (!isUuid(cancellationId)) return undefined;
  const [row] = await em
    .getConnection()
    .execute<{ amount_cents: string; refunded: boolean }[]>(`SELECT amount_cents, refunded FROM order_item_cancellations WHERE id = ?`, [cancellationId]);
  return row && { amountCents: Number(row.amount_cents), refunded: row.refunded };
}

/**
 * Undispatched units the customer cancelled, once (the cancellation's row is inserted ON CONFLICT DO NOTHING and only
 * the call that inserted it gives back): the units back in stock, the provider's refund (if any) into the ledger,
 * then the order's status change. Answers the amount the cancellation recorded.
 */
export async function recordCancellation(
  em: EntityManager,
  cancellation: ItemsCancellation,
  refund: LedgerRefund | undefined,
  change: StatusChange,
): Promise<{ amountCents: number; status: StatusWritten; cancelled: boolean }> {
  return inTransaction(em, async (run) => {
    const inserted = await run<{ id: string }[]>(
      `INSERT INTO order_item_cancellations (id, order_id, items, amount_cents, refunded) VALUES (?, ?, ?::jsonb, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [cancellation.cancellationId, cancellation.orderId, JSON.stringify(cancellation.items), refund?.amountCents ?? cancellation.amountCents, refund !== undefined],
    );
    const first = inserted.length > 0;
    if (first) {
      await restockUnits(run, cancellation.orderId, cancellation.items);
      if (refund) await recordLedgerRefund(run, cancellation.orderId, refund);
    }
    const status = await recordStatusIn(run, cancellation.orderId, change);
    if (first && refund) await paymentStatusFollowsLedger(run, cancellation.orderId);
    const [row] = await run<{ amount_cents: string }[]>(`SELECT amount_cents FROM order_item_cancellations WHERE id = ?`, [cancellation.cancellationId]);
    return { amountCents: Number(row.amount_cents), status, cancelled: first };
  });
}
