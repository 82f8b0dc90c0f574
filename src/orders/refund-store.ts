import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Run } from '../db/raw-transaction';
import { inTransaction } from '../db/raw-transaction';
import { DomainError, NotFoundError } from '../errors';
import type { Order, OrderRefund } from './entities';
import type { RefundRequest } from './refund-rules';
import { refundAmountCents } from './refund-rules';

/**
 * The refunds operators ask for, kept in the order row's `refunds` column with the ledger beside them. Each write
 * is one short transaction that holds the order row's lock (no network call inside), so two refunds of one order
 * are checked against what is left one after the other, and a retried write changes nothing more.
 */


interface OrderRow {
  id: string;
  status: Order['status'];
  lines: Order['lines'];
  captured_cents: number;
  refunded_cents: number;
  refunds: OrderRefund[];
  status_seq: number;
  provider_payment_id: string | null;
  currency: string | null;
}

async function lockOrder(run: Run, orderId: string): Promise<OrderRow | undefined> {
  const [row] = await run<OrderRow[]>(
    `SELECT id, status, lines, captured_cents, refunded_cents, refunds, status_seq, provider_payment_id, currency FROM orders WHERE id = ? FOR UPDATE`,
    [orderId],
  );
  return row;
}

/**
 * Records a refund request as `pending` once the rules allow it (refund-rules.ts). The same key with the same
 * request answers the refund it made (`replayed`), whatever it has become since; with another request it is 409
 * `idempotency_key_reused`.
 */
export async function openRefund(
  em: EntityManager,
  orderId: string,
  request: RefundRequest,
  key: string,
  fingerprint: string,
): Promise<{ refund: OrderRefund; replayed: boolean }> {
  return inTransaction(em, async (run) => {
    const row = await lockOrder(run, orderId);
    if (!row) throw new NotFoundError('order', orderId);
    const earlier = row.refunds.find((r) => r.key === key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint)
        throw new DomainError(
          'idempotency_key_reused',
          'this Idempotency-Key was already used with a different refund request',
        );
      return { refund: earlier, replayed: true };
    }
    const amountCents = refundAmountCents(
      {
        id: row.id,
        status: row.status,
        lines: row.lines,
        capturedCents: row.captured_cents,
        refundedCents: row.refunded_cents,
        refunds: row.refunds,
      },
      request,
    );
    const refund: OrderRefund = {
      id: randomUUID(),
      key,
      fingerprint,
      amountCents,
      reason: request.reason,
      status: 'pending',
      ...(request.items
        ? { items: request.items.map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity })) }
        : {}),
      restock: request.restock ?? false,
      createdAt: new Date().toISOString(),
    };
    await run(`UPDATE orders SET refunds = refunds || ?::jsonb, updated_at = now() WHERE id = ?`, [
      JSON.stringify([refund]),
      orderId,
    ]);
    return { refund, replayed: false };
  });
}

/** What the activity needs to ask the provider for a refund. */
export interface RefundToMake {
  refund: OrderRefund;
  paymentId: string | null;
  currency: string;
}

export async function findRefund(
  em: EntityManager,
  orderId: string,
  refundId: string,
): Promise<RefundToMake | undefined> {
  const [row] = await em
    .getConnection()
    .execute<Pick<OrderRow, 'refunds' | 'provider_payment_id' | 'currency'>[]>(
      `SELECT refunds, provider_payment_id, currency FROM orders WHERE id = ?`,
      [orderId],
    );
  const refund = row?.refunds.find((r) => r.id === refundId);
  return refund && { refund, paymentId: row.provider_payment_id, currency: row.currency ?? '' };
}

/** The provider's word on a refund. */
export type RefundOutcome =
  | { status: 'succeeded'; amountCents: number; providerRefundId: string }
  | { status: 'failed'; failure: string; providerRefundId?: string };

/** How a settled refund moved the order (undefined: it was settled before, nothing changed). */
export interface SettledRefund {
  status: Order['status'];
  paymentStatus: string;
  /** True when this refund gave back everything captured that was left. */
  whole: boolean;
}

/**
 * Settles a pending refund with the provider's word, once. Succeeded: the ledger counts the amount the provider
 * says it gave back; `payment.status` becomes `refunded` once everything captured is back (and a COMPLETED order
 * REFUNDED, `refunded_by_operator`), `partially_refunded` before (a `partial_refund` note in the order's history).
 * Failed: the money stays with the merchant and the order needs an operator (NEEDS_ATTENTION, `refund_failed`).
 * The history row takes the next seq: the saga has closed the order, nobody else numbers its changes.
 */
export async function settleRefund(
  em: EntityManager,
  orderId: string,
  refundId: string,
  outcome: RefundOutcome,
): Promise<SettledRefund | undefined> {
  return inTransaction(em, async (run) => {
    const row = await lockOrder(run, orderId);
    const refund = row?.refunds.find((r) => r.id === refundId);
    if (!row || !refund || refund.status !== 'pending') return undefined;
    const settled: OrderRefund =
      outcome.status === 'succeeded'
        ? {
            ...refund,
            status: 'succeeded',
            amountCents: outcome.amountCents,
            providerRefundId: outcome.providerRefundId,
          }
        : {
            ...refund,
            status: 'failed',
            failure: outcome.failure,
            ...(outcome.providerRefundId ? { providerRefundId: outcome.providerRefundId } : {}),
          };
    const refunds = row.refunds.map((r) => (r.id === refundId ? settled : r));
    const refundedCents = row.refunded_cents + (outcome.status === 'succeeded' ? outcome.amountCents : 0);
    const whole = outcome.status === 'succeeded' && refundedCents >= row.captured_cents;
    let status = row.status;
    let reason: string;
    let failureReason: string | null | undefined;
    if (outcome.status === 'failed') {
      status = 'NEEDS_ATTENTION';
      reason = 'refund_failed';
      failureReason = 'refund_failed';
    } else if (whole && row.status === 'COMPLETED') {
      status = 'REFUNDED';
      reason = 'refunded_by_operator';
    } else {
      reason = 'partial_refund';
    }
    const paymentStatus = refundedCents === 0 ? 'succeeded' : whole ? 'refunded' : 'partially_refunded';
    const seq = row.status_seq + 1;
    await run(`INSERT INTO order_history (order_id, seq, status, reason) VALUES (?, ?, ?, ?)`, [
      orderId,
      seq,
      status,
      reason,
    ]);
    await run(
      `UPDATE orders SET refunds = ?::jsonb, refunded_cents = ?, payment_status = ?, status = ?, status_seq = ?,
         failure_reason = CASE WHEN ?::boolean THEN ? ELSE failure_reason END, updated_at = now()
       WHERE id = ?`,
      [
        JSON.stringify(refunds),
        refundedCents,
        paymentStatus,
        status,
        seq,
        failureReason !== undefined,
        failureReason ?? null,
        orderId,
      ],
    );
    return { status, paymentStatus, whole };
  });
}

/**
 * Puts the units of a succeeded refund's lines back on hand, once (the refund is marked `restockedAt` in the same
 * transaction; a RESTOCK ledger row per line). Products are locked in ascending id order, as every stock statement
 * does. A no-op for a refund without `restock`, or one already restocked. Answers the lines put back.
 */
export async function restockRefundedLines(
  em: EntityManager,
  orderId: string,
  refundId: string,
): Promise<{ productId: string; quantity: number }[]> {
  return inTransaction(em, async (run) => {
    const row = await lockOrder(run, orderId);
    const refund = row?.refunds.find((r) => r.id === refundId);
    if (!row || !refund || !refund.restock || refund.status !== 'succeeded' || refund.restockedAt || !refund.items)
      return [];
    const lines = [...refund.items].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    for (const line of lines) {
      await run(`UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = now() WHERE id = ?`, [
        line.quantity,
        line.productId,
      ]);
      await run(`INSERT INTO stock_movements (product_id, delta, kind, order_id) VALUES (?, ?, 'RESTOCK', ?)`, [
        line.productId,
        line.quantity,
        orderId,
      ]);
    }
    const refunds = row.refunds.map((r) => (r.id === refundId ? { ...r, restockedAt: new Date().toISOString() } : r));
    await run(`UPDATE orders SET refunds = ?::jsonb, updated_at = now() WHERE id = ?`, [
      JSON.stringify(refunds),
      orderId,
    ]);
    return lines;
  });
}
