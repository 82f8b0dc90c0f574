import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from './activity-types';

/**
 * How the saga calls its activities: explicit timeouts and retry policies per kind of step, and a summary per step
 * so the Temporal Web UI's event history reads like the saga (“Reserve stock”, “Void or refund payment”, …).
 */

/** Business outcomes: retrying them cannot help. */
export const BUSINESS_ERRORS = ['insufficient_stock', 'unknown_product', 'currency_mismatch', 'validation_failed', 'order_total_too_large', 'payment_rejected'];

// Database steps wait out a database outage: unlimited attempts, backoff capped at 5 s.
const DATABASE: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', nonRetryableErrorTypes: BUSINESS_ERRORS },
};
// Short bookkeeping writes run as local activities: no extra round trip through the server's task queue.
const BOOKKEEPING: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  localRetryThreshold: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};
// The provider may be down for a while; after ~1 minute of trying, the order is given up as unpaid.
const PAYMENT_REQUEST: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: BUSINESS_ERRORS },
};
// Compensations retry for a few minutes; one that still fails puts the order in NEEDS_ATTENTION for an operator.
const COMPENSATION: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
};

// Asking the provider about a payment before giving up on it: a few quick tries; without an answer the saga voids.
const RECONCILIATION: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
};

const step = (options: ActivityOptions, summary: string) => proxyActivities<OrderActivities>({ ...options, summary });
/**
 * A forward step whose effect its compensation undoes: on cancel, the saga waits until the attempt in flight has
 * ended (instead of abandoning it), so the compensation never runs before the step it undoes has finished.
 */
const forward = (options: ActivityOptions, summary: string) => step({ ...options, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }, summary);

export const { createOrderRecord, recordOrderStatus } = proxyLocalActivities<OrderActivities>(BOOKKEEPING);
export const { reserveOrderStock } = forward(DATABASE, 'Reserve stock (row locks)');
export const { commitOrderStock } = forward(DATABASE, 'Commit reserved stock (sale)');
export const { requestPayment } = forward(PAYMENT_REQUEST, 'Request payment from the provider');
export const { checkPayment } = step(RECONCILIATION, 'Reconcile: ask the provider for the payment');
export const { voidOrRefundOrderPayments } = step(COMPENSATION, "Compensate: void or refund the order's payments");
export const { cancelPayment } = step(COMPENSATION, 'Compensate: void or refund payment');
export const { releaseOrderStock } = step(COMPENSATION, 'Compensate: release reserved stock');
export const { refundPayment } = step(COMPENSATION, 'Refund payment (cancel after paid)');
export const { restockOrder } = step(COMPENSATION, 'Restock refunded items');

/** Notifications retry NOTIFY_MAX_ATTEMPTS times (from config, so built per saga) and never fail the order. */
export function notificationStep(maxAttempts: number) {
  return step(
    { startToCloseTimeout: '10s', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: maxAttempts } },
    'Notify the customer',
  ).sendNotification;
}
