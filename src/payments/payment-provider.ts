import type { ProviderErrorInit } from './http-json';
import { ProviderHttpError } from './http-json';

/**
 * The saga's view of a payment service provider: what every adapter implements (simulator-payment-provider.ts for
 * the bundled simulator, stripe/stripe-payment-provider.ts for Stripe) and all the saga's activities may rely on.
 * provider-factory.ts picks one from PAYMENT_PROVIDER; nothing else knows which one runs.
 */
export type PaymentStatus = 'pending' | 'authorized' | 'succeeded' | 'failed' | 'voided' | 'refunded';

export interface Payment {
  /** The provider's id (`pay_…` at the simulator, `pi_…` at Stripe). */
  id: string;
  status: PaymentStatus;
  orderId: string;
  customerId: string;
  /** Integer minor units of `currency` (cents; yen for JPY). */
  amountCents: number;
  currency: string;
  failureReason?: string;
  /** What its refunds gave back so far, when the provider says. */
  refundedCents?: number;
  /** What was captured, when the provider says (manual capture may take less than `amountCents`). */
  capturedCents?: number;
}

/** A manual capture asked of the provider (capturePayment). */
export interface CaptureInput {
  /** Integer minor units to capture, at most what was authorized; the rest of the hold is released. */
  amountCents: number;
  /** Sending the same key again answers the same capture instead of capturing twice. */
  idempotencyKey: string;
}

/** A partial refund asked of the provider (refundPart). */
export interface RefundPartInput {
  paymentId: string;
  /** Integer minor units of `currency` to give back. */
  amountCents: number;
  currency: string;
  /** Sending the same key again answers the same refund instead of refunding twice. */
  idempotencyKey: string;
}

/** The provider's answer to a refund: `pending` is on its way (Stripe), `failed` was refused after the fact. */
export interface ProviderRefund {
  id: string;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed';
  failureReason?: string;
}

export interface CreatePaymentInput {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  /** The customer's payment method: a simulator token (`tok_visa`) or a Stripe PaymentMethod id (`pm_card_visa`). */
  token: string;
  /** Sending the same key again returns the same payment instead of charging twice. */
  idempotencyKey: string;
  metadata?: Record<string, string | number | boolean | null>;
  /** `manual`: only authorize (the payment becomes `authorized`); capturePayment takes the money later. */
  capture?: 'manual';
}

/** The provider refused a capture because the authorization's hold had lapsed. */
export const AUTHORIZATION_EXPIRED_CODE = 'authorization_expired';

export interface PaymentProvider {
  /**
   * Whether this provider can charge the payment method `token` at all (its format or test-token list; no network
   * call). The API refuses any other token (422 `unsupported_payment_method`) before anything is reserved.
   */
  acceptsPaymentMethod(token: string): boolean;
  /** Starts a charge; the outcome arrives later by webhook (the returned payment is normally `pending`). */
  createPayment(input: CreatePaymentInput): Promise<Payment>;
  /** Undefined when the provider does not know the id. */
  getPayment(id: string): Promise<Payment | undefined>;
  listPayments(orderId: string): Promise<Payment[]>;
  /**
   * A pending payment can no longer succeed; an authorized one's hold is released. Idempotent; a succeeded payment
   * is `not_voidable`.
   */
  voidPayment(id: string): Promise<Payment>;
  /**
   * Captures an authorized payment (manual capture), in full or in part; it becomes `succeeded`. Idempotent per key,
   * and a payment already captured is answered as it is. A lapsed hold is refused (`authorization_expired`), as is
   * a payment that was never authorized (`not_capturable`).
   */
  capturePayment(id: string, input: CaptureInput): Promise<Payment>;
  /** A succeeded payment is refunded in full. Idempotent per key; anything not succeeded is `not_refundable`. */
  refundPayment(id: string, idempotencyKey: string): Promise<Payment>;
  /**
   * Gives part of a succeeded payment back (a payment may have several such refunds). Idempotent per key. More than
   * is left to refund is refused (`refund_exceeds_captured`), as is a payment that is not succeeded (`not_refundable`).
   */
  refundPart(input: RefundPartInput): Promise<ProviderRefund>;
}

/**
 * What every adapter throws. `retryable` decides what the activity does (toActivityFailure): retry, or fail the
 * step for good with `code` and `message` in the order's history.
 */
export class PaymentProviderError extends ProviderHttpError {
  constructor(init: ProviderErrorInit) {
    super(init);
    this.name = 'PaymentProviderError';
  }
}
