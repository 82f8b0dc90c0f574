import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from './registry';

export interface WorkerMetrics {
  registry: Registry;
  ordersFinished: Counter<'status'>;
  sagaDuration: Histogram<'status'>;
  compensations: Counter<'step' | 'result'>;
  notifications: Counter<'result'>;
  disputes: Counter<'outcome'>;
}

export function createWorkerMetrics(
  registry: Registry = createMetricsRegistry('worker', { defaults: false }),
): WorkerMetrics {
  return {
    registry,
    ordersFinished: new Counter({
      name: 'orders_finished_total',
      help: 'Orders that reached COMPLETED, CANCELLED, REFUNDED, REJECTED or NEEDS_ATTENTION (counted each time an order enters NEEDS_ATTENTION)',
      labelNames: ['status'],
      registers: [registry],
    }),
    sagaDuration: new Histogram({
      name: 'saga_duration_seconds',
      help: 'From the order row being created to the status in the label (the PAYMENT_TIMEOUT and CANCEL_WINDOW waits included)',
      labelNames: ['status'],
      // Rejections take milliseconds; COMPLETED includes the cancellation window (default 30 min).
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200],
      registers: [registry],
    }),
    compensations: new Counter({
      name: 'compensations_total',
      help: 'Compensation activity attempts by step and result (success | failure); Temporal retries a failed attempt, and a step that fails all its attempts shows up as orders_finished_total{status="NEEDS_ATTENTION"}',
      labelNames: ['step', 'result'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'notifications_total',
      help: 'Notification attempts by result: sent, retry (failed, Temporal tries again), failed (given up and recorded)',
      labelNames: ['result'],
      registers: [registry],
    }),
    disputes: new Counter({
      name: 'disputes_total',
      help: "Disputes of orders' charges by outcome: opened, then won (the order went back to its status) or lost (CHARGED_BACK)",
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
