import Stripe from 'stripe';

/** Stripe's header on webhook deliveries. */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';
/** How old a signed delivery may be (Stripe's default, and what its docs recommend). */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The event a Stripe delivery carries, when its Stripe-Signature header is a valid signature of exactly these bytes
 * with `secret`, made within the tolerance; undefined otherwise (missing, malformed, wrong or stale header).
 */
export function verifyStripeDelivery(raw: Buffer, header: string | undefined, secret: string): Stripe.Event | undefined {
  if (!header) return undefined;
  try {
    return Stripe.webhooks.constructEvent(raw, header, secret, STRIPE_SIGNATURE_TOLERANCE_SECONDS);
  } catch {
    return undefined;
  }
}
