import Stripe from 'stripe';
import { transportReason } from '../../fetch-failure';
import { PaymentProviderError } from '../payment-provider';

/** Stripe's answer when an object is in the wrong state for the call (cancel a succeeded PaymentIntent, …). */
export const UNEXPECTED_STATE = 'payment_intent_unexpected_state';
/** A refund of a charge that is already refunded in full. */
export const ALREADY_REFUNDED = 'charge_already_refunded';

const { StripeError, StripeCardError, StripeRateLimitError, StripeConnectionError, StripeAPIError, StripeIdempotencyError } = Stripe.errors;

/**
 * Turns what the Stripe SDK throws into the PaymentProviderError the activities understand:
 *  - card errors are a decline: non-retryable, `code` is the decline reason (`card_declined`, `insufficient_funds`,
 *    `expired_card`…), so the saga takes the decline path;
 *  - rate limits, connection problems, Stripe's 5xx and concurrent use of an idempotency key: retryable;
 *  - invalid requests, authentication and permission errors: non-retryable, with Stripe's message (it ends up in
 *    the order's history).
 * Anything that is not a Stripe error is returned as it is (Temporal retries it).
 */
export function fromStripeError(err: unknown, what: string): unknown {
  if (!(err instanceof StripeError)) return err;
  const details = { type: err.type, code: err.code, declineCode: err.decline_code, requestId: err.requestId, paymentIntent: err.payment_intent?.id };
  if (err instanceof StripeCardError) {
    return new PaymentProviderError({ code: declineReason(err.code, err.decline_code), message: `${what}: ${err.message}`, status: err.statusCode, retryable: false, details, cause: err });
  }
  if (err instanceof StripeConnectionError) {
    return new PaymentProviderError({ code: 'network_error', message: `${what} failed: ${transportReason(err)}`, retryable: true, details, cause: err });
  }
  const retryable =
    err instanceof StripeRateLimitError ||
    err instanceof StripeAPIError ||
    // Another request with the same key is still in flight at Stripe; the next attempt gets its answer.
    (err instanceof StripeIdempotencyError && err.statusCode === 409) ||
    (err.statusCode !== undefined && err.statusCode >= 500);
  return new PaymentProviderError({
    code: err.code ?? err.type,
    message: `${what}: ${err.message}`,
    status: err.statusCode,
    retryable,
    details,
    cause: err,
  });
}

/** The saga's decline reasons: `insufficient_funds` when the issuer said so, else Stripe's code (`card_declined`…). */
export function declineReason(code: string | undefined, declineCode: string | undefined): string {
  if (declineCode === 'insufficient_funds' || code === 'insufficient_funds') return 'insufficient_funds';
  return code || 'card_declined';
}
