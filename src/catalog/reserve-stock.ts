import type { EntityManager } from '@mikro-orm/postgresql';
import { plainStatement } from '../db/plain-sql';
import {
  CurrencyMismatchError,
  InsufficientStockError,
  InvalidStockRequestError,
  OrderTotalTooLargeError,
  PurchaseLimitExceededError,
  UnknownProductError,
} from './errors';
import { DEFAULT_MAX_ORDER_TOTAL_CENTS, PG_INT_MAX } from './limits';
import { parseOrderId } from './order-id';
import { DomainError } from '../errors';
import { isUuid } from '../uuid';

export interface StockRequestLine {
  productId: string;
  quantity: number;
}

/** A reserved line, priced from the catalog at reservation time; the saga copies these onto the order. */
export interface ReservedLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  /** Whether the product's units are shipped (products.requires_shipping, Migration20261207001000_fulfilment). */
  requiresShipping: boolean;
}

export interface ReservationResult {
  orderId: string;
  currency: string;
  /** Sorted by productId, so a replay answers exactly what the first call answered. */
  lines: ReservedLine[];
}

/**
 * The whole reservation as ONE statement, so one round trip and no client think-time while product rows are
 * locked: a hot product serves about 1 / lock-hold-time reservations per second, and the lock is held from the
 * FOR UPDATE below until the implicit commit. Steps, as CTEs:
 *  - prior: the order's existing reservations (any status). If there are any this is a replay: nothing is locked
 *    or written and the caller gets them back.
 *  - locked: the requested products, locked in ascending id order (ORDER BY is applied before FOR UPDATE), which
 *    is the lock order every stock statement uses, so overlapping orders queue instead of deadlocking. Under READ
 *    COMMITTED a row that was waited for is re-read, so `available` is the committed value after the wait.
 *  - owner: the customer of the order (its row is written before the reservation), for the purchase limits, and
 *    whether the order was already REJECTED. A reservation refused as a whole leaves no row behind, so when the saga's
 *    step runs again after the engine lost its result (a local activity is re-run when the workflow task that
 *    recorded it never reached Temporal's store, e.g. across a Temporal restart), the recorded rejection is the
 *    answer: nothing is locked or reserved, and an order already told REJECTED never comes back to life.
 *  - checked: per locked product with a limit (max_per_customer), the units the customer already holds of it,
 *    counted by customer_units_held() — a VOLATILE function, so its query takes a fresh snapshot once the row is
 *    locked and sees every reservation committed by the holders of the lock before us (the statement's own snapshot
 *    is older). The limit is thereby enforced under the same row lock as the stock.
 *  - verdict: every product exists and is active, one currency, no line takes the customer over a product's limit,
 *    every line fits in on_hand - reserved, and the total (summed as numeric, so it cannot overflow) is at most the
 *    largest order total allowed.
 *  - inserted / raised: only when the verdict holds. The product update is driven by the rows actually inserted,
 *    so a concurrent call for the same order (ON CONFLICT DO NOTHING) can never raise `reserved` twice.
 * The result has one 'requested' row per line (with what was found, for error details) and the 'prior' rows.
 * The CHECK constraints (0 <= reserved <= on_hand) back all of this up in the database.
 * Parameters: product ids (uuid[] literal), quantities (int[] literal), order id, order id, largest total, order id. Exported for
 * bench/reserve.ts, which runs this exact text under pgbench.
 */
export const RESERVE_SQL = `
WITH requested AS (
  SELECT r.product_id, r.quantity FROM unnest(?::uuid[], ?::int[]) AS r(product_id, quantity)
),
prior AS (
  SELECT s.product_id, s.quantity, s.unit_price_cents, s.currency
  FROM stock_reservations s
  WHERE s.order_id = ?::uuid
),
owner AS (
  SELECT o.customer_id, o.status = 'REJECTED' AS rejected_before, o.rejection FROM orders o WHERE o.id = ?::uuid
),
locked AS (
  SELECT p.id, p.sku, p.name, p.price_cents, p.currency, p.active, p.on_hand - p.reserved AS available, p.max_per_customer,
         p.requires_shipping
  FROM products p
  WHERE p.id IN (SELECT product_id FROM requested) AND NOT EXISTS (SELECT 1 FROM prior)
    AND NOT EXISTS (SELECT 1 FROM owner WHERE rejected_before)
  ORDER BY p.id
  FOR UPDATE
),
checked AS (
  SELECT l.*, CASE WHEN l.max_per_customer IS NOT NULL THEN customer_units_held((SELECT customer_id FROM owner), l.id) END AS held
  FROM locked l
),
verdict AS (
  SELECT count(l.id) = count(*) AND bool_and(l.active AND l.available >= r.quantity) AND count(DISTINCT l.currency) = 1
         AND bool_and(l.max_per_customer IS NULL OR l.held + r.quantity <= l.max_per_customer)
         AND sum(l.price_cents::numeric * r.quantity) <= ?::numeric AS ok
  FROM requested r LEFT JOIN checked l ON l.id = r.product_id
),
inserted AS (
  INSERT INTO stock_reservations (order_id, product_id, quantity, unit_price_cents, currency, customer_id)
  SELECT ?::uuid, l.id, r.quantity, l.price_cents, l.currency, (SELECT customer_id FROM owner)
  FROM requested r JOIN locked l ON l.id = r.product_id
  WHERE (SELECT ok FROM verdict)
  ON CONFLICT (order_id, product_id) DO NOTHING
  RETURNING product_id, quantity
),
raised AS (
  UPDATE products p
  SET reserved = p.reserved + i.quantity, version = p.version + 1, updated_at = now()
  FROM inserted i
  WHERE p.id = i.product_id
  RETURNING p.id
)
SELECT 'requested' AS source, r.product_id, r.quantity, l.sku, l.name, l.price_cents AS unit_price_cents, l.currency,
       l.active, l.available, l.max_per_customer, l.held, (SELECT count(*) FROM raised)::int AS raised_count,
       (SELECT rejected_before FROM owner) AS rejected_before, (SELECT rejection FROM owner) AS recorded_rejection,
       l.requires_shipping
FROM requested r LEFT JOIN checked l ON l.id = r.product_id
UNION ALL
SELECT 'prior', s.product_id, s.quantity, p.sku, p.name, s.unit_price_cents, s.currency, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       p.requires_shipping
FROM prior s JOIN products p ON p.id = s.product_id
`;

/** The order's reservations as they are now (a fresh snapshot), for answering a replay that raced the first call. */
const EXISTING_RESERVATION_SQL = `
SELECT 'prior' AS source, s.product_id, s.quantity, p.sku, p.name, s.unit_price_cents, s.currency,
       NULL AS active, NULL AS available, NULL AS max_per_customer, NULL AS held, NULL AS raised_count,
       NULL AS rejected_before, NULL AS recorded_rejection, p.requires_shipping
FROM stock_reservations s JOIN products p ON p.id = s.product_id
WHERE s.order_id = ?
`;

interface ReserveRow {
  source: 'requested' | 'prior';
  product_id: string;
  quantity: number;
  sku: string | null;
  name: string | null;
  unit_price_cents: number | null;
  currency: string | null;
  active: boolean | null;
  available: number | null;
  max_per_customer: number | null;
  held: number | null;
  raised_count: number | null;
  rejected_before: boolean | null;
  recorded_rejection: { code?: string; message?: string; details?: unknown } | null;
  requires_shipping: boolean | null;
}

/**
 * Reserves every line of an order, or nothing. Idempotent per order: once an order has reservations (in any
 * status), later calls return them, whatever `items` they pass, and change nothing.
 *
 * @throws InsufficientStockError listing every short line; PurchaseLimitExceededError listing every line over the
 *   customer's limit; UnknownProductError (missing or inactive);
 *   CurrencyMismatchError; InvalidStockRequestError for a malformed order id, empty order or bad quantity.
 */
export async function reserveStock(
  em: EntityManager,
  rawOrderId: string,
  items: readonly StockRequestLine[],
  { maxTotalCents = DEFAULT_MAX_ORDER_TOTAL_CENTS }: { maxTotalCents?: number } = {},
): Promise<ReservationResult> {
  const orderId = parseOrderId(rawOrderId);
  const lines = mergeLines(items);
  // Array literals rather than JSON: the planner sizes unnest() of a constant array exactly, and so picks index
  // lookups on products; both arrays hold only validated uuids and integers.
  const rows = await plainStatement<ReserveRow>(em, RESERVE_SQL, [
    `{${lines.map((l) => l.productId).join(',')}}`,
    `{${lines.map((l) => l.quantity).join(',')}}`,
    orderId,
    orderId,
    maxTotalCents,
    orderId,
  ]);

  const prior = rows.filter((r) => r.source === 'prior');
  if (prior.length > 0) return toResult(orderId, prior);

  const requested = rows.filter((r) => r.source === 'requested');
  if (requested[0]?.rejected_before) throw recordedRejection(orderId, requested[0].recorded_rejection);
  if (requested.length > 0 && requested[0].raised_count === requested.length) return toResult(orderId, requested);

  // Not reserved by this call. A concurrent call for the same order (a retried activity whose first attempt is
  // still running) may have reserved it after our snapshot was taken; if so, that reservation is the answer.
  const existing = await plainStatement<ReserveRow>(em, EXISTING_RESERVATION_SQL, [orderId]);
  if (existing.length > 0) return toResult(orderId, existing);
  throw reservationFailure(requested, maxTotalCents);
}

/** The rejection the order already ended with, raised again: the same answer as the first time. */
function recordedRejection(orderId: string, rejection: ReserveRow['recorded_rejection']): Error {
  return new DomainError(rejection?.code ?? 'validation_failed', rejection?.message ?? `order ${orderId} was rejected`, rejection?.details);
}

/** Validates the request and folds repeated products into one line (the table holds one row per order and product). */
function mergeLines(items: readonly StockRequestLine[]): StockRequestLine[] {
  if (items.length === 0) throw new InvalidStockRequestError('an order needs at least one line');
  const unknown = items.filter((i) => !isUuid(i.productId)).map((i) => i.productId);
  if (unknown.length > 0) throw new UnknownProductError(unknown);

  const merged = new Map<string, number>();
  for (const { productId, quantity } of items) {
    if (!Number.isSafeInteger(quantity) || quantity < 1) {
      throw new InvalidStockRequestError(`quantity for product ${productId} must be a positive integer`);
    }
    const key = productId.toLowerCase();
    merged.set(key, (merged.get(key) ?? 0) + quantity);
  }
  const lines = [...merged].map(([productId, quantity]) => ({ productId, quantity }));
  const tooLarge = lines.find((l) => l.quantity > PG_INT_MAX);
  if (tooLarge) throw new InvalidStockRequestError(`quantity for product ${tooLarge.productId} is too large`);
  return lines;
}

/** Picks the error for a request the verdict refused, in the order a client can act on them. */
function reservationFailure(requested: ReserveRow[], maxTotalCents: number): Error {
  const unknown = requested.filter((r) => r.sku === null || r.active !== true).map((r) => r.product_id);
  if (unknown.length > 0) return new UnknownProductError(unknown);

  if (new Set(requested.map((r) => r.currency)).size > 1) {
    return new CurrencyMismatchError(requested.map((r) => ({ productId: r.product_id, currency: r.currency as string })));
  }

  const totalCents = requested.reduce((sum, r) => sum + BigInt(r.unit_price_cents as number) * BigInt(r.quantity), 0n);
  if (totalCents > BigInt(maxTotalCents)) return new OrderTotalTooLargeError(totalCents, maxTotalCents);

  const overLimit = requested.filter((r) => r.max_per_customer !== null && (r.held as number) + r.quantity > r.max_per_customer);
  if (overLimit.length > 0) {
    return new PurchaseLimitExceededError(
      overLimit.map((r) => ({ productId: r.product_id, limit: r.max_per_customer as number, held: r.held as number, requested: r.quantity })),
    );
  }

  const short = requested.filter((r) => (r.available as number) < r.quantity);
  if (short.length > 0) {
    return new InsufficientStockError(
      short.map((r) => ({ productId: r.product_id, requested: r.quantity, available: r.available as number })),
    );
  }
  // Unreachable unless the statement and this function disagree; fail loudly rather than report a wrong reason.
  return new Error('reserveStock: the reservation was refused for no known reason');
}

function toResult(orderId: string, rows: ReserveRow[]): ReservationResult {
  const lines = rows
    .map((r) => ({
      productId: r.product_id,
      sku: r.sku as string,
      name: r.name as string,
      quantity: r.quantity,
      unitPriceCents: r.unit_price_cents as number,
      requiresShipping: r.requires_shipping === true,
    }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  return { orderId, currency: rows[0].currency as string, lines };
}
