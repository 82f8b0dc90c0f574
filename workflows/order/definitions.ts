import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * The order saga's contract, defined once and shared by the workflow, the API and the tests.
 * Nothing here may import Node built-ins: it is bundled into the workflow sandbox.
 */

// Statuses, their moves and the reason vocabulary live in the state machine; re-exported for existing importers.
export { ORDER_STATUSES, TERMINAL_STATUSES } from './state-machine';
export type { CancelReason, OrderStatus, ReturnStatus, ShipmentStatus } from './state-machine';
import type { OrderStatus, ReturnStatus, ShipmentStatus } from './state-machine';

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
  /**
   * Goods that ship (RETURN_WINDOW, DELIVERY_TIMEOUT, RETURN_RECEIPT_TIMEOUT). Absent in sagas started before
   * shipping existed; such a saga completes at its cancel window's end as it always did.
   */
  fulfilment?: FulfilmentTimers;
}

export interface FulfilmentTimers {
  /** After the last delivery, how long the customer may ask for a return before the order is COMPLETED. */
  returnWindowMs: number;
  /** A shipment not delivered this long after its dispatch puts the order in NEEDS_ATTENTION (`delivery_overdue`). */
  deliveryTimeoutMs: number;
  /** A return not received this long after it was asked for is closed `expired`, with no refund. */
  returnReceiptTimeoutMs: number;
}

/** A priced line as the reservation returns it: the saga checks shipments, cancels and returns against it. */
export interface PricedLine {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  requiresShipping: boolean;
}

/** What `POST /admin/orders/{id}/shipments` asks: units of the order's lines that ship, and who carries them. */
export interface ShipmentRequest {
  /** From the request's Idempotency-Key (request-identity.ts): the same key is the same shipment. */
  shipmentId: string;
  items: OrderItemRequest[];
  carrier?: string;
}

/** A shipment as the API shows it. */
export interface Shipment {
  id: string;
  orderId: string;
  status: ShipmentStatus;
  items: OrderItemRequest[];
  carrier: string;
  trackingNumber: string;
  dispatchedAt: string;
  deliveredAt?: string;
}

/** What `POST /orders/{id}/returns` asks. */
export interface ReturnRequest {
  /** From the request's Idempotency-Key when it has one, else random (request-identity.ts). */
  returnId: string;
  items: OrderItemRequest[];
  reason: string;
}

/** A return as the API shows it: `refundCents` is what the units asked back are worth (received ones are refunded). */
export interface OrderReturn {
  id: string;
  orderId: string;
  status: ReturnStatus;
  items: OrderItemRequest[];
  reason: string;
  refundCents: number;
  /** What the warehouse received (status `received`). */
  receivedItems?: OrderItemRequest[];
  requestedAt: string;
  receivedAt?: string;
}

/** A carrier's word about a shipment, from its webhook (`eventId` makes duplicates harmless) or an operator. */
export interface ShipmentEvent {
  eventId: string;
  type: 'shipment.in_transit' | 'shipment.delivered';
  shipmentId: string;
  /** When the carrier says it happened (ISO 8601). */
  at: string;
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

export type CancelResult = {
  outcome: 'cancelled' | 'refunded' | 'needs_attention' | 'already_cancelled' | 'items_cancelled';
  status: OrderStatus;
  /** items_cancelled: what the units cancelled were worth (refunded, or left uncaptured under manual capture). */
  amountCents?: number;
};

/**
 * An operator's capture: `captured` once the money is taken, `authorization_expired` when the hold had lapsed (the
 * order is then cancelled), `not_captured` when a cancel came first.
 */
export type CaptureResult = { outcome: 'captured' | 'authorization_expired' | 'not_captured'; status: OrderStatus; paymentStatus: string };

/** Update-with-start: the API's placement request. Random update ids, so each request is answered (and counted). */
export const placeOrderUpdate = defineUpdate<PlacementResult, [{ requestFingerprint: string }]>('placeOrder');
/**
 * The customer's cancel; the validator rejects what cannot be cancelled. With `items`, only those undispatched units
 * of an order with goods that ship (their stock back, their amount refunded or left uncaptured); the rest goes on.
 */
export const cancelOrderUpdate = defineUpdate<CancelResult, [{ reason?: string; items?: OrderItemRequest[] }]>('cancelOrder');
/** The warehouse dispatches units (POST /admin/orders/{id}/shipments); the update id is the shipment's id. */
export const dispatchShipmentUpdate = defineUpdate<Shipment, [ShipmentRequest]>('dispatchShipment');
/** An operator records a delivery by hand (POST /admin/shipments/{id}/delivered): a carrier without webhooks. */
export const markShipmentDeliveredUpdate = defineUpdate<Shipment, [{ shipmentId: string }]>('markShipmentDelivered');
/** The carrier's webhooks (POST /webhooks/carrier), through the inbox: in transit, delivered. */
export const shipmentEventSignal = defineSignal<[ShipmentEvent]>('shipmentEvent');
/** The customer asks to return delivered units (POST /orders/{id}/returns); the update id is the return's id. */
export const requestReturnUpdate = defineUpdate<OrderReturn, [ReturnRequest]>('requestReturn');
/** The warehouse received a return (POST /admin/returns/{id}/receive): `items` what came back, all when absent. */
export const receiveReturnUpdate = defineUpdate<OrderReturn, [{ returnId: string; items?: OrderItemRequest[] }]>('receiveReturn');
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
/** A shipment asked of an order that is not PAID or PARTIALLY_SHIPPED, or has nothing that ships (409). */
export const NOT_SHIPPABLE = 'not_shippable';
/** More units than the order has left to ship, cancel or return (422). */
export const QUANTITY_EXCEEDS_ORDER = 'quantity_exceeds_order';
/** A return asked of an order that is not DELIVERED within its return window (409). */
export const NOT_RETURNABLE = 'not_returnable';
/** A receipt of a return that is not open (received, expired, or unknown to the saga) (409). */
export const NOT_RECEIVABLE = 'not_receivable';
/** A shipment the saga does not know, or one already delivered, marked delivered (409). */
export const NOT_DELIVERABLE = 'not_deliverable';
export const NOT_RETRYABLE = 'not_retryable';
/** A capture asked of an order that is not PAID with an authorized, uncaptured payment. */
export const NOT_CAPTURABLE = 'not_capturable';
/** A void or refund refused because the payment is not the order's (neither the provider's record nor ours says so). */
export const PAYMENT_NOT_OF_ORDER = 'payment_not_of_order';
