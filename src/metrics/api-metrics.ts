import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from './registry';

/** What `POST /orders` ended as; a fixed set, so the label never grows with traffic. */
export type PlacementResult = 'accepted' | 'deferred' | 'replayed' | 'rejected' | 'conflict' | 'limited' | 'shed' | 'invalid' | 'error';
/** A webhook's outcome: the saga's delivery result, or why it was refused. */
export type WebhookResult =
  | 'signalled'
  | 'refund_started'
  | 'needs_attention'
  | 'ignored'
  | 'duplicate'
  | 'invalid_signature'
  | 'invalid'
  | 'unknown_order'
  /** A carrier's event naming a tracking number no shipment has (yet): 404, the carrier retries. */
  | 'unknown_shipment'
  /** A verified event about a payment that is not ours (a Stripe object naming an order we do not know). */
  | 'not_ours'
  /** A delivery whose signature failed, from a source over its allowance of those: 429, nothing stored. */
  | 'rejected_rate_limited'
  | 'error';

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  ordersPlaced: Counter<'result'>;
  webhooksReceived: Counter<'type' | 'result'>;
}

export function createApiMetrics(registry: Registry = createMetricsRegistry('api', { defaults: false })): ApiMetrics {
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, matched route pattern (not the raw URL) and status code',
      labelNames: ['method', 'route', 'status'],
      // POST /orders waits for the reservation (a Temporal update): tens to hundreds of ms, seconds under load.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ordersPlaced: new Counter({
      name: 'orders_placed_total',
      help: 'POST /orders answers by result: accepted, deferred (202 after PLACEMENT_DEADLINE), replayed (same Idempotency-Key and body), rejected (stock, product, currency), conflict (key reused), limited (429), shed (503 overloaded), invalid (4xx), error (5xx)',
      labelNames: ['result'],
      registers: [registry],
    }),
    webhooksReceived: new Counter({
      name: 'webhooks_received_total',
      help: 'Payment and carrier webhooks by event type (unknown when the body could not be read) and result (not_ours: a verified event about a payment of someone else on the provider account, acknowledged and ignored)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
  };
}
