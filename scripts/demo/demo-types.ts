import { NOTE_REASONS } from '../../workflows/order/state-machine';
import type { DemoTimings } from './scenarios';

/** What the demo's parts share: its options, the row each scenario answers, and its HTTP call. */

export interface DemoOptions {
  apiUrl: string;
  simulatorUrl: string;
  adminToken: string;
  /** A bearer token for this customer (`sub` = customer id): every /orders call carries the customer's own. */
  customerToken: (customerId: string) => Promise<string>;
  timings: DemoTimings;
  /** How long a non-final expected status must hold before it counts as settled. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface DemoRow {
  scenario: string;
  token: string;
  status: string;
  reason: string;
  expected: string;
  then: string;
  ok: boolean;
  temporalUiUrl: string;
}


/** One JSON request; the body parsed when it is JSON. */
export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: res.status, body };
}

/**
 * The order's reason: `failureReason`, else the reason of the last history entry that changed something. Notes
 * (`refund_confirmed`, `partial_refund`) record a fact in the same status: the provider's confirmation of a refund
 * can follow REFUNDED (customer_cancelled) within a poll, and the order is still REFUNDED for that reason.
 */
export function reasonOf(order: any): string {
  const entries: { reason?: string }[] = order.history ?? [];
  const change = [...entries].reverse().find((h) => !(NOTE_REASONS as readonly string[]).includes(h.reason ?? ''));
  return order.failureReason ?? change?.reason ?? '';
}
