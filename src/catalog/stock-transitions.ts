import type { EntityManager } from '@mikro-orm/postgresql';
import { plainStatement } from '../db/plain-sql';
import type { StockMovementKind } from './entities';
import { parseOrderId } from './order-id';
import type { WriteAlongside } from '../orders/order-store';

/** What one call changed: the lines it moved. Empty when there was nothing (left) to do, e.g. on a replay. */
export interface StockTransition {
  orderId: string;
  lines: { productId: string; quantity: number }[];
}

interface TransitionSpec {
  /** Which of the order's reservation rows (alias s) this transition applies to. */
  eligible: string;
  /** How the product row (alias p) moves by the line quantity (l.quantity). */
  productSet: string;
  /** The ledger row to append per line, when on_hand changes. */
  ledger?: { kind: Extract<StockMovementKind, 'SALE' | 'RESTOCK'>; sign: -1 | 1 };
  /** How the reservation row is marked done, so a replay finds nothing eligible. */
  reservationSet: string;
}

/**
 * One statement per transition (one round trip; the locks are held only while it runs and commits):
 *  - lines: the order's eligible reservation rows, locked. A concurrent call for the same order waits here and,
 *    being READ COMMITTED, re-checks `eligible` on the new row version, so it finds nothing left and is a no-op.
 *  - locked: their products, in ascending id order, the one lock order every stock statement uses (no deadlocks
 *    with reserveStock or with each other); products_changed only touches rows `locked` has already locked.
 *  - ledger: one stock_movements row per line when on_hand moves.
 *  - moved: the reservation rows marked done, so a replay finds nothing eligible.
 * As CTEs (one parameter: the order id), so that another write can follow them in the same statement
 * (commitStockAlongside); on its own, the statement answers the lines it moved.
 */
function transitionCtes(spec: TransitionSpec): string {
  const ledger = spec.ledger
    ? `
ledger AS (
  INSERT INTO stock_movements (product_id, delta, kind, order_id)
  SELECT l.product_id, ${spec.ledger.sign} * l.quantity, '${spec.ledger.kind}', l.order_id FROM lines l
),`
    : '';
  return `
lines AS (
  SELECT s.id, s.order_id, s.product_id, s.quantity
  FROM stock_reservations s
  WHERE s.order_id = ?::uuid AND ${spec.eligible}
  ORDER BY s.product_id
  FOR UPDATE OF s
),
locked AS (
  SELECT p.id FROM products p WHERE p.id IN (SELECT product_id FROM lines) ORDER BY p.id FOR UPDATE
),
products_changed AS (
  UPDATE products p
  SET ${spec.productSet}, version = p.version + 1, updated_at = now()
  FROM lines l JOIN locked k ON k.id = l.product_id
  WHERE p.id = l.product_id
  RETURNING p.id
),${ledger}
moved AS (
  UPDATE stock_reservations s
  SET ${spec.reservationSet}, updated_at = now()
  FROM lines l
  WHERE s.id = l.id
  RETURNING s.product_id, s.quantity
)`;
}

const transitionSql = (spec: TransitionSpec) => `WITH ${transitionCtes(spec)}
SELECT product_id, quantity FROM moved
`;

/** Parameter: the order id. Exported for bench/reserve.ts, which runs this exact text under pgbench. */
export const RELEASE_SQL = transitionSql({
  eligible: `s.status = 'ACTIVE'`,
  productSet: 'reserved = p.reserved - l.quantity',
  reservationSet: `status = 'RELEASED'`,
});

const COMMIT: TransitionSpec = {
  eligible: `s.status = 'ACTIVE'`,
  productSet: 'on_hand = p.on_hand - l.quantity, reserved = p.reserved - l.quantity',
  ledger: { kind: 'SALE', sign: -1 },
  reservationSet: `status = 'COMMITTED'`,
};
const COMMIT_SQL = transitionSql(COMMIT);
const COMMIT_CTES = transitionCtes(COMMIT);

/**
 * commitStock as the first part of the statement that writes PAID (recordStatus's `alongside`): the sale and the
 * status change in one round trip and one commit, neither without the other.
 */
export function commitStockAlongside(rawOrderId: string): WriteAlongside {
  return { ctes: COMMIT_CTES, params: [parseOrderId(rawOrderId)] };
}

// restocked_at (not a status) marks a restock: the reservation stays COMMITTED because the sale did happen.
const RESTOCK_SQL = transitionSql({
  eligible: `s.status = 'COMMITTED' AND s.restocked_at IS NULL`,
  productSet: 'on_hand = p.on_hand + l.quantity',
  ledger: { kind: 'RESTOCK', sign: 1 },
  reservationSet: 'restocked_at = now()',
});

async function runTransition(em: EntityManager, sql: string, rawOrderId: string): Promise<StockTransition> {
  const orderId = parseOrderId(rawOrderId);
  const rows = await plainStatement<{ product_id: string; quantity: number }>(em, sql, [orderId]);
  const lines = rows
    .map((r) => ({ productId: r.product_id, quantity: r.quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : 1));
  return { orderId, lines };
}

/**
 * Gives back an order's ACTIVE reservations (ACTIVE → RELEASED, `reserved` goes down). A no-op for an order
 * that is already released, committed or unknown, so it is safe to retry and to call from compensations.
 */
export function releaseStock(em: EntityManager, orderId: string): Promise<StockTransition> {
  return runTransition(em, RELEASE_SQL, orderId);
}

/**
 * Turns an order's ACTIVE reservations into a sale (ACTIVE → COMMITTED): on_hand and reserved both go down and
 * a SALE ledger row is written per line. Idempotent; a no-op (empty `lines`) when nothing is ACTIVE, including
 * when the reservation was already RELEASED, so a caller that needs the stock should check `lines`.
 */
export function commitStock(em: EntityManager, orderId: string): Promise<StockTransition> {
  return runTransition(em, COMMIT_SQL, orderId);
}

/**
 * For a refunded order: puts the quantities of its COMMITTED reservations back on hand, exactly once
 * (restocked_at is set in the same statement; RESTOCK ledger rows). A no-op for any other order.
 */
export function restockOrder(em: EntityManager, orderId: string): Promise<StockTransition> {
  return runTransition(em, RESTOCK_SQL, orderId);
}
