import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** The relay's metrics (docs/webhooks-out.md#metrics), on the worker's /metrics. */
export interface WebhookMetrics {
  /** Messages that reached an end: delivered (a 2xx), failed (last attempt or a 410). */
  messages: Counter<'result'>;
  /** Attempts by outcome: 2xx, 4xx, 5xx, 410, timeout, error (no answer), refused_address (SSRF guard). */
  attempts: Counter<'outcome'>;
  /** From the status change's commit to the first attempt to deliver it. */
  lag: Histogram;
  /** One attempt, request to answer. */
  attemptDuration: Histogram;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  return {
    messages: new Counter({
      name: 'webhook_messages_total',
      help: 'Outbound webhook messages that ended, by result: delivered (a 2xx) or failed (after the last attempt of WEBHOOK_RETRY_SCHEDULE, or a 410)',
      labelNames: ['result'],
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'webhook_attempts_total',
      help: 'Outbound webhook delivery attempts by outcome: 2xx, 4xx, 5xx, 410, timeout, error (no answer), refused_address',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'webhook_commit_to_first_attempt_seconds',
      help: "From the order status change's commit to the first attempt to deliver its event to an endpoint",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'One outbound webhook delivery attempt, request to answer (or timeout)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
  };
}
