import type { EntityManager } from '@mikro-orm/postgresql';
import { plainQuery } from '../db/plain-sql';

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
  /** The first limit that is full, in the order the API answers them; null: admitted (and recorded). */
  refusal: 'rate_limited' | 'too_many_open_orders' | 'unpaid_units_exceeded' | null;
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

/**
 * Decides whether an order may be placed, and when it may, records it as admitted: one call of `admit_order`
 * (migrations/…_admit_order_function.ts), one statement and so one short transaction. Advisory locks on the customer
 * and on the verified email serialise the decisions that share either; nothing else is locked. What a refusal says
 * (message, Retry-After, the rate windows) is worked out here from the state the decision saw.
 */
export async function admitOrder(em: EntityManager, request: AdmissionRequest, limits: AdmissionLimits): Promise<Admission> {
  const email = request.verifiedEmail?.toLowerCase() ?? null;
  const [state] = await plainQuery<StateRow>(
    em,
    `SELECT * FROM admit_order($1::uuid, $2, $3, $4, $5, $6, $7, $8::interval, $9::interval)`,
    [
      request.orderId,
      request.customerId,
      email,
      request.units,
      limits.perMinute,
      limits.maxOpen,
      limits.maxUnpaidUnits,
      `${RATE_WINDOW_SECONDS} seconds`,
      UNRECORDED_GRACE,
    ],
  );
  const now = new Date(state.now);
  const window = (policy: WindowState['policy'], used: number, oldest: Date | null): WindowState => ({
    policy,
    limit: limits.perMinute,
    windowSeconds: RATE_WINDOW_SECONDS,
    remaining: Math.max(0, limits.perMinute - used),
    resetSeconds: oldest ? secondsUntil(new Date(oldest).getTime() + RATE_WINDOW_SECONDS * 1000, now) : 0,
  });
  // No verified email, no email window.
  const windows = [
    window('customer', Number(state.by_customer), state.customer_oldest),
    ...(email === null ? [] : [window('email', Number(state.by_email), state.email_oldest)]),
  ];
  if (state.known) return { admitted: true, replay: true, windows };

  // The oldest open order has been paid for or cancelled by its payment timeout at the latest; suggest a re-check
  // within a minute, as a payment usually frees a place much sooner.
  const freedAt = () => (state.open_oldest ? new Date(state.open_oldest).getTime() + limits.paymentTimeoutMs : now.getTime() + 5000);
  switch (state.refusal) {
    case 'rate_limited': {
      const full = windows.filter((w) => w.remaining === 0);
      return {
        admitted: false,
        code: 'rate_limited',
        message: `at most ${limits.perMinute} new orders per minute per ${full.map((w) => w.policy).join(' and per ')}`,
        retryAfterSeconds: Math.max(...full.map((w) => w.resetSeconds)),
        windows,
      };
    }
    case 'too_many_open_orders':
      return {
        admitted: false,
        code: 'too_many_open_orders',
        message: `at most ${limits.maxOpen} orders may await payment at once; pay or cancel one first`,
        retryAfterSeconds: Math.min(60, secondsUntil(freedAt(), now)),
        windows,
      };
    case 'unpaid_units_exceeded': {
      const heldUnits = Number(state.units_recorded) + Number(state.units_unrecorded);
      return {
        admitted: false,
        code: 'unpaid_units_exceeded',
        message: `at most ${limits.maxUnpaidUnits} units may await payment per customer (${heldUnits} already do); pay or cancel an order first`,
        retryAfterSeconds: Math.min(60, secondsUntil(freedAt(), now)),
        windows,
      };
    }
    default:
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
  }
}

/** Whole seconds from `now` until `at`, at least 1 (Retry-After: 0 would invite an immediate retry). */
function secondsUntil(at: number, now: Date): number {
  return Math.max(1, Math.ceil((at - now.getTime()) / 1000));
}
