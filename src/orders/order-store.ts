import type { EntityManager } from '@mikro-orm/postgresql';
import { plainStatement } from '../db/plain-sql';
import type { NewOrderRecord, StatusChange } from '../../workflows/order/activity-types';
import { REFUND_REFUSAL_ENDINGS } from '../../workflows/order/state-machine';
import { pgArray } from '../db/pg-array';
import type { Run } from '../db/raw-transaction';
import { autocommit } from '../db/raw-transaction';
import type { OrderLine } from './entities';

/**
 * The saga's writes to the orders tables. Each is one statement and idempotent, because the activities that call
 * them are retried: re-running any of them leaves the same rows.
 */

/** Creates the order in PENDING with its first history row; a second call changes nothing. */
/** `traceId`: the trace of the request that placed the order, when tracing is on. */
export async function insertOrder(em: EntityManager, order: NewOrderRecord, traceId?: string): Promise<void> {
  await plainStatement(
    em,
    `WITH created AS (
       INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, idempotency_key, request_fingerprint, trace_id)
       VALUES (?, ?, ?, ?, 'PENDING', ?::jsonb, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING
       RETURNING id)
     INSERT INTO order_history (order_id, seq, status) SELECT id, 0, 'PENDING' FROM created`,
    [
      order.orderId,
      order.workflowId,
      order.customerId,
      order.customerEmail,
      JSON.stringify(order.items),
      order.idempotencyKey ?? null,
      order.requestFingerprint,
      traceId ?? null,
    ],
  );
}

/** The priced lines copied from the catalog when the stock was reserved, in the order's currency. */
export interface PricedLines {
  lines: OrderLine[];
  currency: string;
}

export const orderTotalCents = (lines: readonly OrderLine[]) => lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);

/** Stores the priced lines and total copied from the catalog when the stock was reserved. */
export async function setOrderLines(em: EntityManager, orderId: string, lines: OrderLine[], currency: string): Promise<number> {
  const totalCents = orderTotalCents(lines);
  await plainStatement(
    em,
    `UPDATE orders SET lines = ?::jsonb, total_cents = ?, currency = ?, updated_at = now() WHERE id = ?`,
    [JSON.stringify(lines), totalCents, currency, orderId],
  );
  return totalCents;
}

/** What the refunds operators asked for gave back so far (SQL over the order's `refunds` column). */
const SUCCEEDED_REFUNDS_SQL = `(SELECT COALESCE(sum((r->>'amountCents')::bigint), 0) FROM jsonb_array_elements(refunds) r WHERE r->>'status' = 'succeeded')`;

/**
 * The saga's payment statuses move the ledger: `succeeded` (the order is PAID) captured the total (automatic capture
 * authorises and captures at once; a manual capture says how much it took), `authorized` holds the total without
 * capturing it (manual capture), a failed refund leaves only the operators' refunds counted, and `refunded` gave
 * back everything captured. The lines take the change's payment status, except the captured amount's own parameter.
 */
const LEDGER_FOLLOWS_PAYMENT_STATUS = `
       authorized_cents = CASE WHEN ?::text IN ('succeeded', 'authorized') AND captured_cents = 0 THEN COALESCE(total_cents, 0) ELSE authorized_cents END,
       captured_cents = CASE WHEN ?::text = 'succeeded' AND captured_cents = 0 THEN COALESCE(?::bigint, total_cents, 0) ELSE captured_cents END,
       refunded_cents = CASE ?::text WHEN 'refunded' THEN captured_cents WHEN 'succeeded' THEN ${SUCCEEDED_REFUNDS_SQL} ELSE refunded_cents END`;
const ledgerParameters = (change: StatusChange) => {
  const paymentStatus = change.paymentStatus ?? null;
  return [paymentStatus, paymentStatus, change.capturedCents ?? null, paymentStatus];
};

/**
 * Writes a status change of the saga and its history row. `seq` orders the saga's changes: a retried (older) write
 * never overwrites a newer status, and the history row is written once. Returns the order's creation time when this
 * call changed the status, undefined when it was a repeat (so a retried activity is not counted twice in metrics).
 *
 * A dispute may open while the saga still runs (dispute-store.ts): it numbers its history rows after the saga's, so
 * the saga's own position is kept apart (`saga_seq`; `status_seq` before any dispute) and a saga change the dispute
 * has overtaken takes the next history row. While the order is DISPUTED the saga's change becomes the status the
 * order returns to when the dispute is won (`status_before_dispute`) and the visible status stays DISPUTED; a
 * CHARGED_BACK order is final and the saga's later writes leave it alone.
 */
export async function recordStatus(
  em: EntityManager,
  orderId: string,
  change: StatusChange,
  priced?: PricedLines,
  alongside?: WriteAlongside,
): Promise<{ createdAt: Date; previousStatus: string } | undefined> {
  return recordStatusIn(autocommit(em), orderId, change, priced, alongside);
}

/**
 * A write that goes with a status change, in its statement: CTEs (data-modifying ones run whatever the change does)
 * and their parameters. One statement instead of two: one round trip, one commit, and never the one without the other.
 */
export interface WriteAlongside {
  ctes: string;
  params: unknown[];
}

/**
 * A change at a position the saga has written already (a retry, or a replay) is written again only when a later
 * workflow task numbered it and the position's recorded status differs: the course of a task lost with its worker
 * (its local activities had written) was taken differently by the replay of that task. Parameters: task, order id,
 * seq, status.
 */
const REPLACES_LOST_COURSE = `(? > saga_task AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = ? AND h.seq = ? AND h.status = ?))`;

/**
 * recordStatus inside a transaction of plain SQL (raw-transaction.ts), beside the rows the change is about. `priced`:
 * the reservation's lines, stored with the RESERVED change in the same statement (one row version, one run of the
 * order's triggers), written only with the change (a repeat finds them stored by the write that made it).
 * `alongside`: a write made by the same statement whatever the change does (the sale at PAID: commitStockAlongside).
 */
export async function recordStatusIn(
  run: Run,
  orderId: string,
  change: StatusChange,
  priced?: PricedLines,
  alongside?: WriteAlongside,
): Promise<{ createdAt: Date; previousStatus: string } | undefined> {
  const clearsFailure = change.failureReason !== undefined;
  const task = change.task ?? 0;
  const rows = await run<{ created_at: Date; previous_status: string }[]>(
    `WITH ${alongside ? `${alongside.ctes},
     ` : ''}previous AS (SELECT status, status_seq, COALESCE(saga_seq, status_seq) AS saga_seq, saga_task FROM orders WHERE id = ?),
     placed AS (
       SELECT CASE WHEN ? > status_seq THEN ? ELSE status_seq + 1 END AS seq FROM previous
       WHERE status <> 'CHARGED_BACK' AND (saga_seq < ? OR ${REPLACES_LOST_COURSE})),
     history AS (
       INSERT INTO order_history (order_id, seq, status, reason) SELECT ?, seq, ?, ? FROM placed
       ON CONFLICT (order_id, seq) DO NOTHING)
     UPDATE orders SET
       status_before_dispute = CASE WHEN status = 'DISPUTED' THEN ? ELSE status_before_dispute END,
       status = CASE WHEN status = 'DISPUTED' THEN status ELSE ? END,
       status_seq = GREATEST(status_seq, (SELECT seq FROM placed)), saga_seq = ?, saga_task = ?, updated_at = now(),
       payment_status = COALESCE(?, payment_status),
       ${LEDGER_FOLLOWS_PAYMENT_STATUS},
       lines = COALESCE(?::jsonb, lines), total_cents = COALESCE(?::bigint, total_cents), currency = COALESCE(?, currency),
       provider_payment_id = COALESCE(?, provider_payment_id),
       failure_reason = CASE WHEN ? THEN ? ELSE failure_reason END,
       rejection = COALESCE(?::jsonb, rejection)
     WHERE id = ? AND status <> 'CHARGED_BACK' AND (COALESCE(saga_seq, status_seq) < ? OR ${REPLACES_LOST_COURSE})
     RETURNING created_at, (SELECT status FROM previous) AS previous_status`,
    [
      ...(alongside?.params ?? []),
      orderId,
      change.seq,
      change.seq,
      change.seq,
      task,
      orderId,
      change.seq,
      change.status,
      orderId,
      change.status,
      change.reason ?? null,
      change.status,
      change.status,
      change.seq,
      task,
      change.paymentStatus ?? null,
      ...ledgerParameters(change),
      priced ? JSON.stringify(priced.lines) : null,
      priced ? orderTotalCents(priced.lines) : null,
      priced?.currency ?? null,
      change.providerPaymentId ?? null,
      clearsFailure,
      change.failureReason ?? null,
      change.rejection ? JSON.stringify(change.rejection) : null,
      orderId,
      change.seq,
      task,
      orderId,
      change.seq,
      change.status,
    ],
  );
  return rows[0] ? { createdAt: new Date(rows[0].created_at), previousStatus: rows[0].previous_status } : undefined;
}

/**
 * The order's own payment was refunded (possibly after the order closed): the order keeps its status, its payment
 * says refunded. The refund of another payment of the order (a stray second charge) leaves the order unchanged.
 */
export async function markPaymentRefunded(em: EntityManager, orderId: string, paymentId: string): Promise<void> {
  await plainStatement(
    em,
    `UPDATE orders SET payment_status = 'refunded', refunded_cents = captured_cents, updated_at = now()
     WHERE id = ? AND (provider_payment_id = ? OR provider_payment_id IS NULL)`,
    [orderId, paymentId],
  );
}

/**
 * The provider reports that the refund of the order's own payment failed after its saga closed the order as
 * CANCELLED or REFUNDED: the order moves to NEEDS_ATTENTION (`refund_failed`, payment back to `succeeded`), with its
 * history row next in sequence. True when the order was moved; false when it is in no such state (already flagged,
 * or it never claimed a refund).
 */
export async function flagRefundFailed(em: EntityManager, orderId: string, paymentId: string): Promise<boolean> {
  const rows = await plainStatement<{ id: string }>(
    em,
    `WITH target AS (
       SELECT id, status_seq + 1 AS seq FROM orders
       WHERE id = ? AND provider_payment_id = ? AND status IN ('CANCELLED', 'REFUNDED') AND payment_status = 'refunded'
       FOR UPDATE),
     history AS (
       INSERT INTO order_history (order_id, seq, status, reason) SELECT id, seq, 'NEEDS_ATTENTION', 'refund_failed' FROM target)
     UPDATE orders o SET status = 'NEEDS_ATTENTION', status_seq = t.seq, failure_reason = 'refund_failed',
       payment_status = 'succeeded', refunded_cents = ${SUCCEEDED_REFUNDS_SQL}, updated_at = now()
     FROM target t WHERE o.id = t.id
     RETURNING o.id`,
    [orderId, paymentId],
  );
  return rows.length > 0;
}

/**
 * An operator's retry refunded anew the payment of an order whose saga had closed: the order leaves NEEDS_ATTENTION
 * (`refund_failed`) for the status its saga ended it in (its first CANCELLED or REFUNDED history row), with that
 * ending's failure reason (none for a customer's own cancel after payment) and its payment refunded, the history row
 * next in sequence. A second call changes nothing.
 */
export async function restoreEndedAfterRefund(em: EntityManager, orderId: string): Promise<boolean> {
  const rows = await plainStatement<{ id: string }>(
    em,
    `WITH ended AS (
       SELECT status, reason FROM order_history WHERE order_id = ? AND status IN ('CANCELLED', 'REFUNDED') ORDER BY seq LIMIT 1),
     target AS (
       SELECT o.id, o.status_seq + 1 AS seq, e.status, e.reason FROM orders o, ended e
       WHERE o.id = ? AND o.status = 'NEEDS_ATTENTION' AND o.failure_reason = 'refund_failed'
       FOR UPDATE OF o),
     history AS (
       INSERT INTO order_history (order_id, seq, status) SELECT id, seq, status FROM target)
     UPDATE orders o SET status = t.status, status_seq = t.seq, payment_status = 'refunded', updated_at = now(),
       failure_reason = CASE WHEN t.status = 'REFUNDED' AND t.reason = 'customer_cancelled' THEN NULL ELSE t.reason END
     FROM target t WHERE o.id = t.id
     RETURNING o.id`,
    [orderId, orderId],
  );
  return rows.length > 0;
}

/**
 * A late-payment refund was refused because the payment is not this order's: an order its saga closed COMPLETED,
 * CANCELLED or REFUNDED moves to NEEDS_ATTENTION (`compensation_failed:refund_payment`), keeping its failure reason,
 * so an operator looks at the payment. A COMPLETED order's refund is one of a stray charge for it. True when the
 * order was moved; false when it is in no such state (already flagged, or waiting for an operator anyway).
 */
export async function flagRefundRefused(em: EntityManager, orderId: string): Promise<boolean> {
  const rows = await plainStatement<{ id: string }>(
    em,
    `WITH target AS (
       SELECT id, status_seq + 1 AS seq FROM orders WHERE id = ? AND status = ANY (?::text[]) FOR UPDATE),
     history AS (
       INSERT INTO order_history (order_id, seq, status, reason) SELECT id, seq, 'NEEDS_ATTENTION', 'compensation_failed:refund_payment' FROM target)
     UPDATE orders o SET status = 'NEEDS_ATTENTION', status_seq = t.seq, updated_at = now()
     FROM target t WHERE o.id = t.id
     RETURNING o.id`,
    [orderId, pgArray(REFUND_REFUSAL_ENDINGS)],
  );
  return rows.length > 0;
}

/** The order's own payment as it recorded it (the saga's charge), if any. */
export async function recordedPaymentId(em: EntityManager, orderId: string): Promise<string | undefined> {
  const rows = await plainStatement<{ provider_payment_id: string | null }>(em, `SELECT provider_payment_id FROM orders WHERE id = ?`, [orderId]);
  return rows[0]?.provider_payment_id ?? undefined;
}
