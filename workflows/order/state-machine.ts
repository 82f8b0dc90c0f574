/**
 * The order's state machine: every status, the moves between them, the sets other code asks about, and the one
 * vocabulary of reasons written into the order's history and `failureReason`. The workflow, the API, the SQL CHECK
 * constraints (migrations/Migration20261129000100_money.ts, checked by test/workflows/state-machine-db.test.ts) and
 * the chaos invariant checker all read it from here. Plain data only: it is bundled into the workflow sandbox.
 */

export const ORDER_STATUSES = [
  'PENDING',
  'RESERVED',
  'AWAITING_PAYMENT',
  'PAID',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'REFUNDED',
  'NEEDS_ATTENTION',
  'DISPUTED',
  'CHARGED_BACK',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'DELIVERED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Allowed moves. A status may also be written again (a history row with the same status, e.g. `refund_confirmed`).
 * NEEDS_ATTENTION is left when an operator's retry of the failed compensations succeeds. A free order (total 0) goes
 * RESERVED → PAID without a payment, and a cancelled one PAID → CANCELLED (nothing to refund). A COMPLETED order
 * becomes REFUNDED once operators' refunds gave back everything captured, NEEDS_ATTENTION when one of them failed at
 * the provider. CANCELLED and REFUNDED
 * move on only when the provider reports afterwards that the refund they rest on failed (`refund_failed`): the
 * money is back with the merchant, so the order needs an operator again.
 * A PAID or COMPLETED order is DISPUTED while the customer's bank disputes its charge; won, it goes back to the
 * status it had (or the one its saga reached meanwhile), lost, it ends CHARGED_BACK.
 * An order with goods that ship stays PAID until the warehouse dispatches: PARTIALLY_SHIPPED while some units wait,
 * SHIPPED once every unit left, DELIVERED when the carrier delivered every shipment, COMPLETED when the return window
 * ends (REFUNDED when everything came back); a shipment overdue puts it in NEEDS_ATTENTION (`delivery_overdue`).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['RESERVED', 'REJECTED', 'CANCELLED', 'NEEDS_ATTENTION'],
  RESERVED: ['AWAITING_PAYMENT', 'PAID', 'CANCELLED', 'NEEDS_ATTENTION'],
  AWAITING_PAYMENT: ['PAID', 'CANCELLED', 'NEEDS_ATTENTION'],
  PAID: ['COMPLETED', 'REFUNDED', 'CANCELLED', 'NEEDS_ATTENTION', 'DISPUTED', 'PARTIALLY_SHIPPED', 'SHIPPED'],
  COMPLETED: ['REFUNDED', 'NEEDS_ATTENTION', 'DISPUTED'],
  REJECTED: [],
  CANCELLED: ['NEEDS_ATTENTION'],
  REFUNDED: ['NEEDS_ATTENTION'],
  NEEDS_ATTENTION: ['CANCELLED', 'REFUNDED'],
  DISPUTED: ['PAID', 'COMPLETED', 'CHARGED_BACK', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED'],
  CHARGED_BACK: [],
  // Cancelling the undispatched rest of a partly shipped order ships it whole (or, delivered already, delivers it).
  PARTIALLY_SHIPPED: ['SHIPPED', 'DELIVERED', 'NEEDS_ATTENTION', 'DISPUTED'],
  SHIPPED: ['DELIVERED', 'NEEDS_ATTENTION', 'DISPUTED'],
  DELIVERED: ['COMPLETED', 'REFUNDED', 'NEEDS_ATTENTION', 'DISPUTED'],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Statuses after which the saga does nothing more on its own (short of a refund failure reported later).
 * NEEDS_ATTENTION waits for an operator.
 */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['COMPLETED', 'REJECTED', 'CANCELLED', 'REFUNDED', 'CHARGED_BACK'];
/** Done, or stuck until an operator acts: what stops the saga-duration clock and what "settled" means. */
export const SETTLED_STATUSES: readonly OrderStatus[] = [...TERMINAL_STATUSES, 'NEEDS_ATTENTION'];
/** The customer may ask to cancel (the saga's own validator also refuses while a refund is under way). */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID'];
/** The saga ended (or stopped) without keeping the customer's money: any success for such an order is refunded. */
export const UNPAID_STATUSES: readonly OrderStatus[] = ['CANCELLED', 'REJECTED', 'NEEDS_ATTENTION'];

/** Statuses whose charge a dispute moves to DISPUTED: the money was taken and the order keeps it. */
export const DISPUTABLE_STATUSES: readonly OrderStatus[] = ['PAID', 'COMPLETED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED'];
/** Statuses in which the warehouse may dispatch (POST /admin/orders/{id}/shipments); others answer 409 `not_shippable`. */
export const SHIPPABLE_STATUSES: readonly OrderStatus[] = ['PAID', 'PARTIALLY_SHIPPED'];
/** Where a dispute stands: open while the bank decides, then won (the money stays) or lost (it went back). */
export const DISPUTE_STATUSES = ['open', 'won', 'lost'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const isTerminal = (status: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(status);
export const isSettled = (status: string): boolean => (SETTLED_STATUSES as readonly string[]).includes(status);
export const isCancellable = (status: string): boolean => (CANCELLABLE_STATUSES as readonly string[]).includes(status);
export const endedUnpaid = (status: string): boolean => (UNPAID_STATUSES as readonly string[]).includes(status);
export const isDisputable = (status: string): boolean => (DISPUTABLE_STATUSES as readonly string[]).includes(status);
export const isShippable = (status: string): boolean => (SHIPPABLE_STATUSES as readonly string[]).includes(status);

/** Why the provider did not take the money. */
export const DECLINE_REASONS = ['card_declined', 'insufficient_funds', 'payment_failed'] as const;
/** Why a placement was refused before anything was charged (the API answers these as 4xx). */
export const REJECTION_REASONS = [
  'insufficient_stock',
  'unknown_product',
  'currency_mismatch',
  'validation_failed',
  'order_total_too_large',
  'unsupported_payment_method',
  'purchase_limit_exceeded',
] as const;
/** The provider refused a charge request for good (a 4xx): the activities' failure type; the order's reason is `payment_refused`. */
export const PAYMENT_REJECTED = 'payment_rejected';
/** The provider refused a capture because the authorization's hold had lapsed: the failure type and the order's reason. */
export const AUTHORIZATION_EXPIRED = 'authorization_expired';
/**
 * The failure types of a business outcome, which no retry can change: a placement refused (the type is the
 * rejection's reason) and a charge request the provider refused. Activities raise them as non-retryable failures.
 */
export const BUSINESS_ERRORS: readonly string[] = [...REJECTION_REASONS, PAYMENT_REJECTED];
/** Why an accepted order was cancelled or refunded. */
export const CANCEL_REASONS = [
  'payment_timeout',
  'payment_refused',
  'payment_request_failed',
  'customer_cancelled',
  'cancelled_by_operator',
  'authorization_expired',
] as const;
/** Why an order needs an operator (besides a failed compensation, `compensation_failed:<step>`). */
export const ATTENTION_REASONS = ['payment_amount_mismatch', 'step_failed', 'refund_failed', 'delivery_overdue'] as const;
/** History rows that record a fact without changing the status (`partial_refund`: an operator gave part of the money back). */
export const NOTE_REASONS = ['refund_confirmed', 'partial_refund'] as const;
/**
 * Why a PAID order's authorized money was captured (manual capture, history notes in PAID): its cancel window ended,
 * its hold was about to expire (AUTHORIZATION_TTL), or an operator asked for it.
 */
export const CAPTURE_REASONS = ['capture_at_window_end', 'capture_before_hold_expires', 'capture_by_operator', 'capture_at_dispatch'] as const;
export type CaptureReason = (typeof CAPTURE_REASONS)[number];
/** Why a COMPLETED order became REFUNDED: operators' refunds gave back everything captured. */
export const REFUND_REASONS = ['refunded_by_operator'] as const;
/** A dispute of the order's charge: opened (DISPUTED), won (back to the status before), lost (CHARGED_BACK). */
export const DISPUTE_REASONS = ['dispute_opened', 'dispute_won', 'dispute_lost'] as const;
/**
 * After payment, for goods that ship: a shipment dispatched (PARTIALLY_SHIPPED, SHIPPED) or delivered (a note, or
 * DELIVERED for the last), units cancelled before dispatch (a note), a return received (a note, or REFUNDED when
 * everything came back: `returned`), and the return window's end (COMPLETED).
 */
export const FULFILMENT_REASONS = ['shipment_dispatched', 'shipment_delivered', 'items_cancelled', 'return_received', 'returned', 'return_window_ended'] as const;
/** Written by earlier versions of the saga; still found in stored orders. */
export const LEGACY_REASONS = ['payment_declined', 'voided'] as const;

export const ORDER_REASONS = [
  ...DECLINE_REASONS,
  ...REJECTION_REASONS,
  ...CANCEL_REASONS,
  ...ATTENTION_REASONS,
  ...NOTE_REASONS,
  ...CAPTURE_REASONS,
  ...REFUND_REASONS,
  ...DISPUTE_REASONS,
  ...FULFILMENT_REASONS,
  ...LEGACY_REASONS,
] as const;
export type OrderReason = (typeof ORDER_REASONS)[number];
export type DeclineReason = (typeof DECLINE_REASONS)[number];
export type CancelReason = (typeof CANCEL_REASONS)[number] | DeclineReason;
/** How an accepted order can end unpaid or refunded: a cancel reason, or the forward step that failed for good. */
export type EndReason = CancelReason | `step_failed:${string}`;

/**
 * The order's `payment.status`: where its money stands. `succeeded` is captured (automatic capture takes the money
 * when the payment succeeds); `authorized` held but not captured yet (manual capture), `voided` a hold released; `partially_refunded` some of it is back with the customer, `refunded` all of it;
 * `not_required` a free order (nothing to charge); `unknown` the provider could not tell.
 */
export const PAYMENT_STATUSES = [
  'not_requested',
  'not_required',
  'pending',
  'authorized',
  'succeeded',
  'partially_refunded',
  'refunded',
  'failed',
  'voided',
  'unknown',
] as const;
export type PaymentLedgerStatus = (typeof PAYMENT_STATUSES)[number];

/** What a refund an operator asked for is at: asked (`pending`), done at the provider, or refused by it. */
export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Reasons with a detail after the colon: the compensation (or forward step) that failed. */
export const REASON_PREFIXES = ['compensation_failed:', 'step_failed:'] as const;
/**
 * The saga's compensations, by the names `compensation_failed:` gives them (and the worker's compensations_total
 * counts them by): the reservation released, the order's payments voided or refunded, the sale restocked, and a new
 * refund asked for after the provider reported the first one failed.
 */
export const COMPENSATION_STEPS = ['release_stock', 'void_or_refund_payment', 'restock', 'refund_payment'] as const;
export type CompensationStep = (typeof COMPENSATION_STEPS)[number];
export const compensationFailed = (steps: readonly CompensationStep[]) => `compensation_failed:${steps.join(',')}`;
/**
 * The endings a refused late-payment refund (the payment is not the order's) turns into NEEDS_ATTENTION, whether the
 * saga writes it (refused-refunds.ts) or, once the saga has closed, the refund itself (flagRefundRefused).
 */
export const REFUND_REFUSAL_ENDINGS: readonly OrderStatus[] = ['COMPLETED', 'CANCELLED', 'REFUNDED'];

/** Where a shipment is: dispatched (a tracking number), in transit (the carrier's first scan), delivered. */
export const SHIPMENT_STATUSES = ['dispatched', 'in_transit', 'delivered'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
/** Where a return is: asked for by the customer, received by the warehouse (and refunded), or never received. */
export const RETURN_STATUSES = ['requested', 'received', 'expired'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export function isOrderReason(reason: string): boolean {
  return (ORDER_REASONS as readonly string[]).includes(reason) || REASON_PREFIXES.some((p) => reason.startsWith(p));
}

/** A provider's failure reason in the order's vocabulary: anything we do not know becomes `payment_failed`. */
export function declineReason(providerReason: string | undefined): DeclineReason {
  return providerReason === 'card_declined' || providerReason === 'insufficient_funds' ? providerReason : 'payment_failed';
}
