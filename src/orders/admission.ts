import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction } from '../db/raw-transaction';

/**
 * Admission of new orders: at most `perMinute` distinct orders per customer and per verified email in any 60 seconds
 * (a sliding window), and at most `maxOpen` orders of a customer holding stock without payment. The state is in
 * PostgreSQL (order_admissions, orders), so every API instance enforces the same limits.
 *
 * Only an email a token verified is a key shared across customers: an email named in a request body could be
 * anyone's, and counting it would let one customer lock another out. An order refused before anything was reserved
 * (REJECTED: unknown product, no stock…) counts against no limit.
 *
 * A limit counts distinct orders: the order id is the admission's primary key, and an order id that was already
 * admitted (or already has an order row) is a replay, let through without counting again. Retries and concurrent
 * copies of one Idempotency-Key therefore count once and reach their stored answer.
 */

export const RATE_WINDOW_SECONDS = 60;

/** Admitted orders with no order row yet still hold a place under the open-orders cap for this long. */
const UNRECORDED_GRACE = '2 minutes';

/** Open: stock is (or is about to be) held and nobody has paid. */
const OPEN_STATUSES = `('PENDING', 'RESERVED', 'AWAITING_PAYMENT')`;

/** Advisory lock classes (first key of pg_advisory_xact_lock(int, int)): one per kind of limit key. */
const LOCK_CUSTOMER = 72_001;
const LOCK_EMAIL = 72_002;

export interface AdmissionLimits {
  perMinute: number;
  maxOpen: number;
  /** Units one customer may hold in unpaid orders, this one included (MAX_UNPAID_UNITS_PER_CUSTOMER). */
  maxUnpaidUnits: number;
  /** How long an unpaid order can hold its place at most (the saga cancels it then). */
  paymentTimeoutMs: number;
}

export interface AdmissionRequest {
  orderId: string;
  customerId: string;
  /** The customer's token-verified email (its `email` claim); absent when nobody verified one: no email limit. */
  verifiedEmail?: string;
  /** The units the order asks for (the sum of its lines' quantities). */
  units: number;
}

/** One rate window as the RateLimit headers describe it. */
export interface WindowState {
  policy: 'customer' | 'email';
  limit: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window has room again (the oldest counted order leaves it). */
  resetSeconds: number;
}

export type Admission =
  | { admitted: true; replay: boolean; windows: WindowState[] }
  | {
      admitted: false;
      code: 'rate_limited' | 'too_many_open_orders' | 'unpaid_units_exceeded';
      message: string;
      retryAfterSeconds: number;
      windows: WindowState[];
    };

interface StateRow {
  now: Date;
  known: boolean;
  by_customer: string;
  customer_oldest: Date | null;
  by_email: string;
  email_oldest: Date | null;
  open_recorded: string;
  open_unrecorded: string;
  open_oldest: Date | null;
  units_recorded: string;
  units_unrecorded: string;
}

/** An admission whose order was refused before anything was reserved counts for nothing. */
const COUNTS = `NOT EXISTS (SELECT 1 FROM orders r WHERE r.id = a.order_id AND r.status = 'REJECTED')`;

const STATE_SQL = `
WITH t AS (SELECT clock_timestamp() AS now)
SELECT
  t.now,
  EXISTS (SELECT 1 FROM order_admissions WHERE order_id = ?::uuid) OR EXISTS (SELECT 1 FROM orders WHERE id = ?::uuid) AS known,
  c.n AS by_customer, c.oldest AS customer_oldest,
  e.n AS by_email, e.oldest AS email_oldest,
  o.n AS open_recorded, o.oldest AS open_oldest,
  u.n AS open_unrecorded,
  ou.units AS units_recorded,
  u.units AS units_unrecorded
FROM t
CROSS JOIN LATERAL (
  SELECT count(*) AS n, min(admitted_at) AS oldest FROM order_admissions a
  WHERE customer_id = ? AND admitted_at > t.now - interval '${RATE_WINDOW_SECONDS} seconds' AND ${COUNTS}) c
CROSS JOIN LATERAL (
  SELECT count(*) AS n, min(admitted_at) AS oldest FROM order_admissions a
  WHERE customer_email = ? AND admitted_at > t.now - interval '${RATE_WINDOW_SECONDS} seconds' AND ${COUNTS}) e
CROSS JOIN LATERAL (
  SELECT count(*) AS n, min(created_at) AS oldest FROM orders WHERE customer_id = ? AND status IN ${OPEN_STATUSES}) o
CROSS JOIN LATERAL (
  SELECT coalesce(sum((line->>'quantity')::int), 0) AS units
  FROM orders, jsonb_array_elements(orders.requested_items) AS line
  WHERE customer_id = ? AND status IN ${OPEN_STATUSES}) ou
CROSS JOIN LATERAL (
  SELECT count(*) AS n, coalesce(sum(a.units), 0) AS units FROM order_admissions a
  WHERE a.customer_id = ? AND a.admitted_at > t.now - interval '${UNRECORDED_GRACE}'
    AND NOT EXISTS (SELECT 1 FROM orders WHERE id = a.order_id)) u`;

/**
 * Decides whether an order may be placed, and when it may, records it as admitted, in one short transaction.
 * Advisory locks on the customer and on the verified email serialise the decisions that share either (always
 * customer first, then email, so two decisions never wait for each other in a cycle); nothing else is locked.
 */
export async function admitOrder(em: EntityManager, request: AdmissionRequest, limits: AdmissionLimits): Promise<Admission> {
  const email = request.verifiedEmail?.toLowerCase() ?? null;
  return inTransaction(em, async (run) => {

    // Evaluated left to right: the customer's lock first.
    if (email === null) await run(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, [LOCK_CUSTOMER, request.customerId]);
    else await run(`SELECT pg_advisory_xact_lock(?, hashtext(?)), pg_advisory_xact_lock(?, hashtext(?))`, [LOCK_CUSTOMER, request.customerId, LOCK_EMAIL, email]);
    const [state] = await run<StateRow[]>(STATE_SQL, [
      request.orderId,
      request.orderId,
      request.customerId,
      email,
      request.customerId,
      request.customerId,
      request.customerId,
    ]);
    const now = new Date(state.now);
    const byCustomer = Number(state.by_customer);
    const byEmail = Number(state.by_email);
    const window = (policy: WindowState['policy'], used: number, oldest: Date | null): WindowState => ({
      policy,
      limit: limits.perMinute,
      windowSeconds: RATE_WINDOW_SECONDS,
      remaining: Math.max(0, limits.perMinute - used),
      resetSeconds: oldest ? secondsUntil(new Date(oldest).getTime() + RATE_WINDOW_SECONDS * 1000, now) : 0,
    });
    // No verified email, no email window (customer_email = NULL matches nothing).
    const windows = [window('customer', byCustomer, state.customer_oldest), ...(email === null ? [] : [window('email', byEmail, state.email_oldest)])];

    if (state.known) return { admitted: true, replay: true, windows };

    const full = windows.filter((w) => w.remaining === 0);
    if (full.length > 0) {
      return {
        admitted: false,
        code: 'rate_limited',
        message: `at most ${limits.perMinute} new orders per minute per ${full.map((w) => w.policy).join(' and per ')}`,
        retryAfterSeconds: Math.max(...full.map((w) => w.resetSeconds)),
        windows,
      };
    }
    const open = Number(state.open_recorded) + Number(state.open_unrecorded);
    if (open >= limits.maxOpen) {
      // The oldest open order has been paid for or cancelled by its payment timeout at the latest; suggest a
      // re-check within a minute, as a payment usually frees a place much sooner.
      const freedAt = state.open_oldest ? new Date(state.open_oldest).getTime() + limits.paymentTimeoutMs : now.getTime() + 5000;
      return {
        admitted: false,
        code: 'too_many_open_orders',
        message: `at most ${limits.maxOpen} orders may await payment at once; pay or cancel one first`,
        retryAfterSeconds: Math.min(60, secondsUntil(freedAt, now)),
        windows,
      };
    }

    // Under the customer's lock, so two placements cannot both see room for their units (no read-then-write race).
    const heldUnits = Number(state.units_recorded) + Number(state.units_unrecorded);
    if (heldUnits + request.units > limits.maxUnpaidUnits) {
      const freedAt = state.open_oldest ? new Date(state.open_oldest).getTime() + limits.paymentTimeoutMs : now.getTime() + 5000;
      return {
        admitted: false,
        code: 'unpaid_units_exceeded',
        message: `at most ${limits.maxUnpaidUnits} units may await payment per customer (${heldUnits} already do); pay or cancel an order first`,
        retryAfterSeconds: Math.min(60, secondsUntil(freedAt, now)),
        windows,
      };
    }

    await run(`INSERT INTO order_admissions (order_id, customer_id, customer_email, admitted_at, units) VALUES (?, ?, ?, ?, ?)`, [
      request.orderId,
      request.customerId,
      email,
      now,
      request.units,
    ]);
    // Older admissions count for nothing any more (their orders have rows, which answer replays): keep the table small.
    await run(`DELETE FROM order_admissions WHERE customer_id = ? AND admitted_at < ?::timestamptz - interval '1 day'`, [
      request.customerId,
      now,
    ]);
    return {
      admitted: true,
      replay: false,
      windows: windows.map((w) => ({
        ...w,
        remaining: w.remaining - 1,
        // This order is now in the window: it has room again when the oldest counted order (or this one) leaves.
        resetSeconds: w.resetSeconds || RATE_WINDOW_SECONDS,
      })),
    };
  });
}

/** Whole seconds from `now` until `at`, at least 1 (Retry-After: 0 would invite an immediate retry). */
function secondsUntil(at: number, now: Date): number {
  return Math.max(1, Math.ceil((at - now.getTime()) / 1000));
}
