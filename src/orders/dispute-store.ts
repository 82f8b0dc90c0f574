import type { EntityManager } from '@mikro-orm/postgresql';
import type { DisputeStatus, OrderStatus } from '../../workflows/order/state-machine';
import { isDisputable } from '../../workflows/order/state-machine';
import { inTransaction } from '../db/raw-transaction';
import type { OrderDispute } from './entities';

/**
 * Disputes of an order's charge, kept in the order row (`orders.dispute`, Migration20261206002000_disputes). Each
 * write is one short transaction holding the order row's lock, idempotent by the dispute's id and independent of
 * the order its events arrive in: a close that comes before the open opens the dispute first.
 */

/** A dispute event as the provider reported it. */
export interface DisputeReport {
  disputeId: string;
  /** `open` for `dispute.created`; `won` or `lost` for `dispute.closed`. */
  status: DisputeStatus;
  amountCents: number;
  reason: string;
}

/**
 * A dispute opened before the order took in its payment: the provider's webhooks are reordered, so a dispute's
 * `dispute.created` may overtake the `payment.succeeded` of the charge it disputes. Applied now, the order would keep
 * the dispute but never show DISPUTED (a PENDING…AWAITING_PAYMENT order is not disputable, and the saga's later PAID
 * does not look at disputes), so the report is refused, retryably: the dispute workflow's activity tries again until
 * the saga has settled the payment (PAID, or an unpaid ending, which keeps the dispute without a status change).
 */
export class DisputeBeforePaymentError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} has not taken in its payment yet: its dispute is applied once it has`);
    this.name = 'DisputeBeforePaymentError';
  }
}

/** Statuses in which the order's payment is not settled yet (the saga is on its way to PAID or an unpaid ending). */
const PAYMENT_UNSETTLED: readonly OrderStatus[] = ['PENDING', 'RESERVED', 'AWAITING_PAYMENT'];

/** What applying a report changed: the dispute opened and/or closed now (false: an earlier report did it). */
export interface AppliedDispute {
  opened: boolean;
  closed: boolean;
  dispute: OrderDispute;
  orderStatus: OrderStatus;
  customerEmail: string;
}


interface OrderRow {
  status: OrderStatus;
  status_before_dispute: OrderStatus | null;
  dispute: OrderDispute | null;
  captured_cents: number;
  refunded_cents: number;
  customer_email: string;
  next_seq: number;
}

/**
 * Applies one dispute report to its order, once:
 *  - open: the order carries the dispute; a PAID or COMPLETED order becomes DISPUTED (`dispute_opened`) and keeps
 *    the status it had in `status_before_dispute` (the saga, if it still runs, moves that one on: order-store.ts);
 *  - won: the order goes back to that status (`dispute_won`);
 *  - lost: the order ends CHARGED_BACK (`dispute_lost`): the disputed amount counts as refunded in the ledger (never
 *    more than was captured), so the customer's statistics count it as given back.
 * History rows take the next seq after every row there, the saga's included. Undefined when the order is unknown.
 * @throws DisputeBeforePaymentError (retryable) while the order has not settled its payment.
 */
export async function applyDisputeReport(
  em: EntityManager,
  orderId: string,
  report: DisputeReport,
): Promise<AppliedDispute | undefined> {
  return inTransaction(em, async (run) => {
    const [row] = await run<OrderRow[]>(
      `SELECT o.status, o.status_before_dispute, o.dispute, o.captured_cents, o.refunded_cents, o.customer_email,
         GREATEST(o.status_seq, (SELECT COALESCE(max(h.seq), 0) FROM order_history h WHERE h.order_id = o.id)) + 1 AS next_seq
       FROM orders o WHERE o.id = ? FOR UPDATE`,
      [orderId],
    );
    if (!row) return undefined;
    const known = row.dispute?.id === report.disputeId ? row.dispute : undefined;
    if (known && (known.status !== 'open' || report.status === 'open'))
      return { dispute: known, orderStatus: row.status, customerEmail: row.customer_email, opened: false, closed: false };

    let status = row.status;
    let before = row.status_before_dispute;
    let seq = Number(row.next_seq);
    const history = async (to: OrderStatus, reason: string) => {
      await run(`INSERT INTO order_history (order_id, seq, status, reason) VALUES (?, ?, ?, ?)`, [orderId, seq, to, reason]);
      status = to;
      seq += 1;
    };

    let dispute: OrderDispute = known ?? {
      id: report.disputeId,
      status: 'open',
      amountCents: report.amountCents,
      reason: report.reason,
    };
    const opened = !known;
    if (opened && PAYMENT_UNSETTLED.includes(status)) throw new DisputeBeforePaymentError(orderId);
    if (opened && isDisputable(status)) {
      before = status;
      await history('DISPUTED', 'dispute_opened');
    }
    let refundedCents = Number(row.refunded_cents);
    const closed = report.status !== 'open';
    if (closed) {
      dispute = { ...dispute, status: report.status, amountCents: report.amountCents };
      if (report.status === 'lost') {
        refundedCents = Math.min(Number(row.captured_cents), refundedCents + report.amountCents);
        if (status === 'DISPUTED') await history('CHARGED_BACK', 'dispute_lost');
      } else if (status === 'DISPUTED') {
        await history(before ?? 'COMPLETED', 'dispute_won');
      }
      if (status !== 'DISPUTED') before = null;
    }
    const whole = refundedCents >= Number(row.captured_cents);
    await run(
      // saga_seq keeps the saga's own position before status_seq moves past it (order-store.ts).
      `UPDATE orders SET dispute = ?::jsonb, status = ?, status_before_dispute = ?,
         saga_seq = COALESCE(saga_seq, status_seq), status_seq = GREATEST(status_seq, ?),
         refunded_cents = ?,
         payment_status = CASE WHEN ? THEN (CASE WHEN ? THEN 'refunded' ELSE 'partially_refunded' END) ELSE payment_status END,
         updated_at = now()
       WHERE id = ?`,
      [
        JSON.stringify(dispute),
        status,
        before,
        seq - 1,
        refundedCents,
        refundedCents !== Number(row.refunded_cents),
        whole,
        orderId,
      ],
    );
    return { dispute, orderStatus: status, customerEmail: row.customer_email, opened, closed };
  });
}
