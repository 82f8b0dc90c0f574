import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FulfilmentActivities, OrderActivities } from './activity-types';
import { AUTHORIZATION_EXPIRED, BUSINESS_ERRORS } from './state-machine';

/**
 * How the saga calls its activities: explicit timeouts and retry policies per kind of step, and a summary per step
 * so the Temporal Web UI's event history reads like the saga (“Reserve stock”, “Void or refund payment”, …).
 */

// Database steps wait out a database outage: unlimited attempts, backoff capped at 5 s. A business outcome is never
// retried (the activities raise it non-retryable; the policy says so too).
const DATABASE: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', nonRetryableErrorTypes: [...BUSINESS_ERRORS] },
};
// Short bookkeeping writes: no extra round trip through the server's task queue.
const BOOKKEEPING: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  localRetryThreshold: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};
// The provider may be down for a while; after ~1 minute of trying, the order is given up as unpaid.
const PAYMENT_REQUEST: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: [...BUSINESS_ERRORS] },
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

// A manual capture is money the order is owed: the provider gets minutes to answer (the hold is a day or more from
// lapsing when the saga asks); a lapsed hold is a business outcome, never retried.
const CAPTURE: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: [AUTHORIZATION_EXPIRED] },
};

/** The reconciliation and the compensations are ordinary activities: rare, they may retry for minutes, and each is worth its own rows in the Web UI. */
const remote = (options: ActivityOptions, summary: string) => proxyActivities<OrderActivities>({ ...options, summary });

export const { checkPayment } = remote(RECONCILIATION, 'Reconcile: ask the provider for the payment');
export const { voidOrRefundOrderPayments } = remote(COMPENSATION, "Compensate: void or refund the order's payments");
export const { releaseOrderStock } = remote(COMPENSATION, 'Compensate: release reserved stock');
export const { restockOrder } = remote(COMPENSATION, 'Restock refunded items');
export const { captureOrderPayment } = remote(CAPTURE, 'Capture the authorized payment');

// Booking the carrier: it may be down for a while; after a few minutes the warehouse's request fails (503) and the
// order is as it was (the same Idempotency-Key again books the same parcel).
const CARRIER: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 12, nonRetryableErrorTypes: [...BUSINESS_ERRORS] },
};
/**
 * After payment, for goods that ship (workflows/order/fulfilment.ts): each request is one activity, with its own row
 * in the Web UI. Money back for cancelled or returned units retries like a compensation; the request fails after
 * that, nothing lost.
 */
const fulfilment = (options: ActivityOptions, summary: string) => proxyActivities<FulfilmentActivities>({ ...options, summary });
export const { dispatchShipment } = fulfilment(CARRIER, 'Dispatch: book the carrier → shipped');
export const { recordShipmentProgress } = fulfilment(DATABASE, "Record the carrier's news on a shipment");
export const { cancelOrderItems } = fulfilment(COMPENSATION, 'Cancel undispatched units: restock, refund');
export const { openReturn } = fulfilment(DATABASE, 'Open a return');
export const { receiveReturn } = fulfilment(COMPENSATION, 'Receive a return: restock, refund');
export const { expireReturn } = fulfilment(DATABASE, 'Close a return never received');

/**
 * The saga's forward steps and bookkeeping writes run as local activities: the worker runs them inside the workflow
 * task that asked for them, so a step costs one history marker instead of three events and a workflow task of its
 * own, and the status it writes (RESERVED, AWAITING_PAYMENT, PAID) is written by the step itself. A retry backoff
 * longer than LOCAL_RETRY_THRESHOLD becomes a durable timer. A local activity can run again after a worker crash,
 * which every one of them allows (idempotent by order). A forward step's compensation undoes its effect, so on
 * cancel the saga waits until the attempt in flight has ended instead of abandoning it: the compensation never runs
 * before the step it undoes has finished.
 */
const LOCAL_RETRY_THRESHOLD = '10s';
const localStep = (options: ActivityOptions, summary: string): LocalActivityOptions => ({
  startToCloseTimeout: options.startToCloseTimeout,
  retry: options.retry,
  localRetryThreshold: LOCAL_RETRY_THRESHOLD,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  summary,
});
/**
 * The options of each local activity of the saga. The bench's no-op ceiling workflow
 * (bench/ceiling/workflow.ts) runs its stand-ins with these same options, so it mirrors the saga step for step.
 */
export const LOCAL_STEPS = {
  createOrderRecord: { ...BOOKKEEPING, summary: 'Record the order (PENDING)' },
  recordOrderStatus: { ...BOOKKEEPING, summary: 'Record the order status' },
  reserveOrderStock: localStep(DATABASE, 'Reserve stock (row locks) → RESERVED'),
  requestPayment: localStep(PAYMENT_REQUEST, 'Request payment from the provider → AWAITING_PAYMENT'),
  commitOrderStock: localStep(DATABASE, 'Commit reserved stock (sale) → PAID'),
} satisfies Record<string, LocalActivityOptions>;
export const local = {
  createOrderRecord: proxyLocalActivities<OrderActivities>(LOCAL_STEPS.createOrderRecord).createOrderRecord,
  recordOrderStatus: proxyLocalActivities<OrderActivities>(LOCAL_STEPS.recordOrderStatus).recordOrderStatus,
  reserveOrderStock: proxyLocalActivities<OrderActivities>(LOCAL_STEPS.reserveOrderStock).reserveOrderStock,
  requestPayment: proxyLocalActivities<OrderActivities>(LOCAL_STEPS.requestPayment).requestPayment,
  commitOrderStock: proxyLocalActivities<OrderActivities>(LOCAL_STEPS.commitOrderStock).commitOrderStock,
};

/**
 * The saga's notifications, as local activities: sent inside the workflow task of the step that caused
 * them (no task of their own), retried NOTIFY_MAX_ATTEMPTS times, and recorded FAILED by the activity when out of
 * attempts; they never fail the order.
 */
export function localNotificationOptions(maxAttempts: number): LocalActivityOptions {
  return {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: maxAttempts },
    localRetryThreshold: LOCAL_RETRY_THRESHOLD,
    summary: 'Notify the customer',
  };
}

export function localNotificationStep(maxAttempts: number) {
  return proxyLocalActivities<OrderActivities>(localNotificationOptions(maxAttempts)).sendNotification;
}
