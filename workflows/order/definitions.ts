import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * The order saga's contract, defined once and shared by the workflow, the API and the tests.
 * Nothing here may import Node built-ins: it is bundled into the workflow sandbox.
 */

// Statuses, their moves and the reason vocabulary live in the state machine; re-exported for existing importers.
export { ORDER_STATUSES, TERMINAL_STATUSES } from './state-machine';
export type { CancelReason, OrderStatus } from './state-machine';
import type { OrderStatus } from './state-machine';

export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
export const refundWorkflowId = (paymentId: string) => `refund-${paymentId}`;
/** An operator's retry of a refund the provider reported failed after the saga closed: one workflow per attempt. */
export const refundRetryWorkflowId = (orderId: string, attempt: number) => `refund-retry-${orderId}-${attempt}`;
/** One workflow per dispute of an order's charge (workflows/dispute.ts), started by signal-with-start. */
export const disputeWorkflowId = (disputeId: string) => `dispute-${disputeId}`;

export interface OrderItemRequest {
  productId: string;
  quantity: number;
}

export interface OrderWorkflowInput {
  orderId: string;
  customerId: string;
  customerEmail: string;
  items: OrderItemRequest[];
  paymentToken: string;
  /** sha256 of the canonical request body: a second request with the same key must carry the same one. */
  requestFingerprint: string;
  idempotencyKey?: string;
  /** From config (PAYMENT_TIMEOUT, CANCEL_WINDOW, NOTIFY_MAX_ATTEMPTS): workflow code cannot read the environment. */
  paymentTimeoutMs: number;
  cancelWindowMs: number;
  notifyMaxAttempts: number;
  /**
   * REFUND_CONFIRMATION_TIMEOUT: how long the saga waits for the provider's word on a refund. Absent in sagas
   * started before the setting existed, which wait PAYMENT_TIMEOUT as they always did.
   */
  refundConfirmationTimeoutMs?: number;
  /**
   * PAYMENT_CAPTURE=manual: the provider only authorizes at placement and the saga captures later (cancel window's
   * end, AUTHORIZATION_TTL, an operator). Absent under automatic capture, so those sagas keep today's path.
   */
  paymentCapture?: 'manual';
  /** AUTHORIZATION_TTL: how long after the authorization the saga captures at the latest (manual capture only). */
  authorizationTtlMs?: number;
}

/** A business rejection decided by the saga, kept on the order so a replayed request gets the same answer. */
export interface Rejection {
  code: string;
  message: string;
  details?: unknown;
}

/** What `POST /orders` waits for: the reservation decided (and payment requested), or why not. */
export type PlacementResult =
  | { outcome: 'accepted'; replayed: boolean }
  | { outcome: 'rejected'; replayed: boolean; rejection: Rejection }
  | { outcome: 'idempotency_key_reused' };

/** A provider webhook, as the API hands it to the workflow. `eventId` makes duplicates harmless. */
export interface PaymentEvent {
  eventId: string;
  type:
    | 'payment.succeeded'
    | 'payment.authorized'
    | 'payment.failed'
    | 'payment.refunded'
    | 'payment.partially_refunded'
    | 'payment.refund_failed';
  paymentId: string;
  amountCents: number;
  currency: string;
  reason?: string;
}

/** A provider's dispute webhook, as the API hands it to the dispute's workflow. `eventId` makes duplicates harmless. */
export interface DisputeEvent {
  eventId: string;
  type: 'dispute.created' | 'dispute.closed';
  disputeId: string;
  /** `open` (created), `won` or `lost` (closed). */
  status: 'open' | 'won' | 'lost';
  amountCents: number;
  currency: string;
  reason: string;
}

export interface DisputeWorkflowInput {
  orderId: string;
  disputeId: string;
  /** NOTIFY_MAX_ATTEMPTS, from the API's config. */
  notifyMaxAttempts: number;
}

export interface OrderSagaState {
  status: OrderStatus;
  failureReason?: string;
  paymentId?: string;
  paymentStatus: string;
  pendingCompensations: string[];
}

export type CancelResult = { outcome: 'cancelled' | 'refunded' | 'needs_attention' | 'already_cancelled'; status: OrderStatus };

/**
 * An operator's capture: `captured` once the money is taken, `authorization_expired` when the hold had lapsed (the
 * order is then cancelled), `not_captured` when a cancel came first.
 */
export type CaptureResult = { outcome: 'captured' | 'authorization_expired' | 'not_captured'; status: OrderStatus; paymentStatus: string };

/** Update-with-start: the API's placement request. Random update ids, so each request is answered (and counted). */
export const placeOrderUpdate = defineUpdate<PlacementResult, [{ requestFingerprint: string }]>('placeOrder');
/** The customer's cancel; the validator rejects what cannot be cancelled. */
export const cancelOrderUpdate = defineUpdate<CancelResult, [{ reason?: string }]>('cancelOrder');
/** An operator asks a NEEDS_ATTENTION saga to run its failed compensations again. */
export const retryCompensationUpdate = defineUpdate<{ accepted: true }, []>('retryCompensation');
/** An operator captures a manual-capture order's authorized payment now (POST /admin/orders/{id}/capture). */
export const captureOrderUpdate = defineUpdate<CaptureResult, []>('captureOrder');
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
/** A dispute webhook for the dispute's workflow (signal-with-start: the first event starts it). */
export const disputeEventSignal = defineSignal<[DisputeEvent]>('disputeEvent');
/**
 * A late-payment refund this saga started (`refund-{paymentId}`) was refused: the payment is not the order's. The
 * saga owns its order's status while it runs, so the refund tells it rather than writing the order itself.
 */
export const refundRefusedSignal = defineSignal<[{ paymentId: string }]>('refundRefused');
export const orderStateQuery = defineQuery<OrderSagaState>('orderState');

/** ApplicationFailure types the saga and API agree on. */
export const NOT_CANCELLABLE = 'not_cancellable';
export const NOT_RETRYABLE = 'not_retryable';
/** A capture asked of an order that is not PAID with an authorized, uncaptured payment. */
export const NOT_CAPTURABLE = 'not_capturable';
/** A void or refund refused because the payment is not the order's (neither the provider's record nor ours says so). */
export const PAYMENT_NOT_OF_ORDER = 'payment_not_of_order';
