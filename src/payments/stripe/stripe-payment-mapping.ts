import type Stripe from 'stripe';
import type { Payment, PaymentStatus } from '../payment-provider';
import { declineReason } from './stripe-errors';
import { fromStripeAmount, fromStripeCurrency } from './stripe-amounts';

/** What the saga's activities need to know about a PaymentIntent. Pass it retrieved with `latest_charge` expanded. */
export function paymentFromIntent(intent: Stripe.PaymentIntent): Payment {
  const currency = fromStripeCurrency(intent.currency);
  const { status, failureReason } = statusOfIntent(intent);
  return {
    id: intent.id,
    status,
    orderId: intent.metadata?.orderId ?? '',
    customerId: intent.metadata?.customerId ?? '',
    amountCents: fromStripeAmount(intent.amount, currency),
    currency,
    // What a manual capture took (`amount_received`; the rest of the hold was released).
    ...(intent.capture_method === 'manual' && intent.status === 'succeeded' ? { capturedCents: fromStripeAmount(intent.amount_received, currency) } : {}),
    ...(failureReason ? { failureReason } : {}),
  };
}

/**
 * The saga's payment status from a PaymentIntent. Money is read from its charge first: a succeeded charge means
 * the customer paid (`refunded` once it is refunded in full), unless the intent only holds an authorisation
 * (requires_capture: `authorized`, waiting for the manual capture) or was cancelled. Then
 * the intent's own status: canceled → voided (`authorization_expired` when Stripe cancelled it because its hold lapsed); requires_payment_method after a failed attempt → failed (the order
 * is confirmed once, at creation, so nobody retries it); anything still in progress → pending.
 */
export function statusOfIntent(intent: Stripe.PaymentIntent): { status: PaymentStatus; failureReason?: string } {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  if (charge?.status === 'succeeded' && intent.status !== 'requires_capture' && intent.status !== 'canceled') {
    return { status: charge.refunded ? 'refunded' : 'succeeded' };
  }
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded' };
    case 'canceled':
      return { status: 'voided', failureReason: intent.cancellation_reason === 'automatic' ? 'authorization_expired' : 'voided' };
    case 'requires_capture':
      // Held for a manual capture; an automatic-capture intent passes through it on its way to succeeded.
      return { status: intent.capture_method === 'manual' ? 'authorized' : 'pending' };
    case 'requires_payment_method': {
      const error = intent.last_payment_error;
      if (!error) return { status: 'pending' };
      return { status: 'failed', failureReason: declineReason(error.code, error.decline_code) };
    }
    default:
      // requires_confirmation, requires_action (3-D Secure), processing
      return { status: 'pending' };
  }
}
