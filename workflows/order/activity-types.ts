import type { DisputeEvent, OrderItemRequest, OrderReturn, OrderStatus, PricedLine, Rejection, Shipment } from './definitions';

/**
 * The shapes the order saga's activities take and return. The workflow imports these types only;
 * the implementations live in activities/ and run outside the sandbox.
 */
export interface NewOrderRecord {
  orderId: string;
  workflowId: string;
  customerId: string;
  customerEmail: string;
  items: OrderItemRequest[];
  requestFingerprint: string;
  idempotencyKey?: string;
}

export interface StatusChange {
  status: OrderStatus;
  /** Position in the order's history; makes the history insert idempotent when the activity is retried. */
  seq: number;
  /**
   * The workflow task that numbered the change (its history length). A later task's change at a position already
   * written with another status replaces it: the first was written by a task lost with its worker, whose replay
   * took another course. Absent in changes numbered before this existed: those never replace.
   */
  task?: number;
  reason?: string;
  failureReason?: string | null;
  paymentStatus?: string;
  /** What the provider captured (manual capture), recorded in the ledger with the status; the total when absent. */
  capturedCents?: number;
  providerPaymentId?: string;
  rejection?: Rejection;
}

export interface ReservedOrder {
  totalCents: number;
  currency: string;
  /** The priced lines, and which ship (absent in histories recorded before goods could ship). */
  lines?: PricedLine[];
}

export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  token: string;
  /** `manual`: the provider only authorizes (PAYMENT_CAPTURE=manual); absent: it captures at once. */
  capture?: 'manual';
}

/** A manual-capture order's capture: the amount due, the order's payment, and the PAID change that records it. */
export interface CaptureRequest {
  orderId: string;
  paymentId: string;
  amountCents: number;
}

export interface RequestedPayment {
  paymentId: string;
  status: string;
}

/** What the provider says about one payment, for reconciliation; `unknown` when it does not know the id. */
export interface PaymentCheck {
  status: 'pending' | 'authorized' | 'succeeded' | 'failed' | 'voided' | 'refunded' | 'unknown';
  amountCents?: number;
  currency?: string;
  failureReason?: string;
}

export type NotificationKind =
  | 'order_confirmed'
  | 'order_cancelled'
  | 'order_refunded'
  | 'dispute_opened'
  | 'dispute_closed'
  | 'order_shipped'
  | 'order_delivered'
  | 'return_received';

/** What a dispute event did to its order (applyDisputeEvent). */
export interface DisputeOutcome {
  /** The dispute was opened, or closed, by this event (false: an earlier one did, or the order is unknown). */
  opened: boolean;
  closed: boolean;
  /** Where the dispute stands now. */
  disputeStatus: 'open' | 'won' | 'lost';
  orderStatus: OrderStatus;
  amountCents: number;
  /** Where the customer's notifications go (the payload codec encrypts it in the workflow's history). */
  customerEmail: string;
}

export interface NotificationRequest {
  orderId: string;
  kind: NotificationKind;
  to: string;
  data: Record<string, unknown>;
  /** After this many attempts the notification is recorded FAILED instead of failing the saga. */
  maxAttempts: number;
  /** What the notification is about when its kind recurs on one order (a shipment's id, a return's): part of its key. */
  about?: string;
}

export interface OrderActivities {
  createOrderRecord(order: NewOrderRecord): Promise<void>;
  /**
   * Reserves and prices the order. With `reserved`, the order's RESERVED status is written by the same activity once
   * the reservation is durable (no separate status write); a business refusal writes nothing and fails.
   */
  reserveOrderStock(orderId: string, items: OrderItemRequest[], reserved?: StatusChange): Promise<ReservedOrder>;
  recordOrderStatus(orderId: string, change: StatusChange): Promise<void>;
  /** With `awaiting`, the AWAITING_PAYMENT status (and the provider's payment id) is written once the provider answered. */
  requestPayment(request: PaymentRequest, awaiting?: StatusChange): Promise<RequestedPayment>;
  /**
   * Manual capture: asks the provider to capture `amountCents` of the order's authorized payment (key
   * `capture:{orderId}`, so a retry never captures twice; the rest of the hold is released), then writes `captured`
   * (PAID, payment `succeeded`, the captured amount in the ledger) in one statement. A hold that has lapsed fails
   * non-retryably (`authorization_expired`). Idempotent: a payment already captured is recorded as it is.
   */
  captureOrderPayment(request: CaptureRequest, captured: StatusChange): Promise<{ capturedCents: number }>;
  /**
   * The late-payment refund (refundLatePaymentWorkflow), by payment id: refunded if it succeeded, voided if still
   * pending, left as it is when failed, voided or refunded. Fails (`payment_not_found`) when the provider does not
   * know the payment.
   */
  refundPayment(orderId: string, paymentId: string): Promise<{ status: string }>;
  /**
   * The saga's payment compensation, by order: every payment the provider holds for the order is voided (pending)
   * or refunded (succeeded), so it is harmless when no charge was ever created, and complete when one was created
   * by a request whose answer was lost. Answers the status of `paymentId` (the saga's own payment, when it knows
   * it). Fails, non-retryably, when the provider cannot prove the money went back (`payment_not_found`,
   * `refund_failed`). `refundAttempt` (2, 3…): the provider reported an earlier refund failed, so ask for a new one.
   * A payment the provider does not record for this order, and that the order did not record as its own, is never
   * voided or refunded (`payment_not_of_order`, non-retryable).
   */
  voidOrRefundOrderPayments(orderId: string, paymentId?: string, refundAttempt?: number): Promise<{ status: string }>;
  /**
   * After an operator's retry refunded anew the payment of an order whose saga had closed (retryRefundWorkflow): the
   * order leaves NEEDS_ATTENTION (`refund_failed`) for the status its saga ended it in. Idempotent.
   */
  restoreOrderAfterRefund(orderId: string): Promise<void>;
  /**
   * A late-payment refund (refundLatePaymentWorkflow) refused because the payment is not the order's: an order whose
   * saga closed COMPLETED, CANCELLED or REFUNDED goes to NEEDS_ATTENTION (`compensation_failed:refund_payment`).
   * Called by the refund when no saga can be told (the API started it, or the saga that did has closed). Idempotent.
   */
  flagRefundRefused(orderId: string, paymentId: string): Promise<void>;
  /** Reconciliation: the provider's view of one payment. */
  checkPayment(paymentId: string): Promise<PaymentCheck>;
  /** With `paid`, the PAID status is written right after the sale is committed. */
  commitOrderStock(orderId: string, paid?: StatusChange): Promise<void>;
  releaseOrderStock(orderId: string): Promise<void>;
  restockOrder(orderId: string): Promise<void>;
  sendNotification(request: NotificationRequest): Promise<'sent' | 'failed'>;
  /**
   * An operator's refund (POST /admin/orders/{id}/refunds), recorded `pending` by the API: asks the provider for it
   * under its own key (`refund:{paymentId}:{refundId}`, so a retry never pays twice), settles it with the provider's
   * answer (the ledger, the order's status) and, for lines asked to be restocked, puts them back. A provider's
   * refusal settles it `failed` (the order needs an operator); anything else is retried. Idempotent by refund.
   */
  refundOrderPart(orderId: string, refundId: string): Promise<{ status: string }>;
  /** The refund could not be asked for after its retries: it is settled `failed` and the order needs an operator. */
  abandonOrderRefund(orderId: string, refundId: string): Promise<{ status: string }>;
  /**
   * A dispute event (workflows/dispute.ts): the order carries the dispute and moves (DISPUTED; back to its status when
   * won; CHARGED_BACK when lost, the amount counted as refunded). Idempotent, whatever order the events come in;
   * counts `disputes_total` once per change.
   */
  applyDisputeEvent(orderId: string, event: DisputeEvent): Promise<DisputeOutcome>;
}

/** A dispatch the saga decided: the units, who carries them, and the shipment's id (the request's key). */
export interface DispatchRequest {
  orderId: string;
  shipmentId: string;
  items: OrderItemRequest[];
  carrier: string;
}

/** Undispatched units the customer cancelled: `refund` when the money for them was captured (else it never will be). */
export interface ItemsCancellation {
  orderId: string;
  /** The cancel's own id (from the saga: deterministic), the key of its refund at the provider. */
  cancellationId: string;
  items: OrderItemRequest[];
  amountCents: number;
  refund: boolean;
}

export interface ReturnOpening {
  orderId: string;
  returnId: string;
  items: OrderItemRequest[];
  reason: string;
  refundCents: number;
}

export interface ReturnReceipt {
  orderId: string;
  returnId: string;
  /** What the warehouse received (never more than the return asked for). */
  items: OrderItemRequest[];
  /** Their price, refunded through the ledger. */
  refundCents: number;
}

/**
 * After payment, for goods that ship (activities/fulfilment-activities.ts). Each writes the order's status change it
 * is given in the same transaction as its own rows, is idempotent by its id (a retry answers what the first call
 * did), and never calls the carrier or the provider inside a transaction.
 */
export interface FulfilmentActivities {
  /**
   * Asks the carrier for a tracking number (idempotent by shipment id), then records the shipment `dispatched` with
   * `change` (PARTIALLY_SHIPPED or SHIPPED, reason `shipment_dispatched`). Answers the shipment as recorded.
   */
  dispatchShipment(request: DispatchRequest, change: StatusChange): Promise<Shipment>;
  /**
   * The carrier's word on a shipment: `in_transit` (never after `delivered`), `delivered` (once). With `change` (the
   * last delivery: DELIVERED; or a `shipment_delivered` note) the order's status too. Answers the shipment.
   */
  recordShipmentProgress(orderId: string, shipmentId: string, status: 'in_transit' | 'delivered', at: string, change?: StatusChange): Promise<Shipment>;
  /**
   * Cancels undispatched units: records the cancellation, puts the units back in stock and, with `refund`, gives their
   * price back through the payments ledger (provider key `cancel:{cancellationId}`). Writes `change` (a note
   * `items_cancelled`, or SHIPPED/DELIVERED when the rest had left already).
   */
  cancelOrderItems(cancellation: ItemsCancellation, change: StatusChange): Promise<{ amountCents: number }>;
  /** Records a return the customer asked for (`requested`). */
  openReturn(opening: ReturnOpening): Promise<OrderReturn>;
  /**
   * The warehouse received units of a return: they go back in stock, their price is refunded through the ledger
   * (provider key `return:{returnId}`), the return is `received`; `change` is a `return_received` note (payment
   * `partially_refunded`) or REFUNDED (`returned`, payment `refunded`) when everything sold came back.
   */
  receiveReturn(receipt: ReturnReceipt, change: StatusChange): Promise<OrderReturn>;
  /** A return never received within RETURN_RECEIPT_TIMEOUT: closed `expired`, nothing refunded. */
  expireReturn(orderId: string, returnId: string): Promise<OrderReturn>;
}
