import type Stripe from 'stripe';
import { paymentFromIntent, statusOfIntent } from '../../src/payments/stripe/stripe-payment-mapping';
import { sagaEventFromStripe } from '../../src/webhooks/stripe-map';

// Manual capture (capture_method=manual) in the Stripe mapping: requires_capture is an authorization, a capture's
// amount_received is what was captured, and an intent Stripe cancelled when its hold lapsed says so.
const intent = (fields: Record<string, unknown>) =>
  ({ id: 'pi_1', amount: 1000, amount_received: 0, currency: 'eur', metadata: { orderId: 'o1' }, latest_charge: null, last_payment_error: null, ...fields }) as never;
const charge = (fields: Record<string, unknown>) => ({ object: 'charge', status: 'succeeded', refunded: false, ...fields });

describe('a manual-capture PaymentIntent → payment', () => {
  it('requires_capture is authorized (its charge succeeded, but only as a hold)', () => {
    expect(statusOfIntent(intent({ status: 'requires_capture', capture_method: 'manual', latest_charge: charge({ captured: false }) }))).toEqual({ status: 'authorized' });
  });

  it('captured in part: succeeded, capturedCents is amount_received', () => {
    expect(paymentFromIntent(intent({ status: 'succeeded', capture_method: 'manual', amount_received: 600, latest_charge: charge({}) }))).toMatchObject({
      status: 'succeeded',
      amountCents: 1000,
      capturedCents: 600,
    });
  });

  it('cancelled by Stripe when the authorization expired: voided, authorization_expired; cancelled by us: voided', () => {
    expect(statusOfIntent(intent({ status: 'canceled', capture_method: 'manual', cancellation_reason: 'automatic' }))).toEqual({ status: 'voided', failureReason: 'authorization_expired' });
    expect(statusOfIntent(intent({ status: 'canceled', capture_method: 'manual', cancellation_reason: 'requested_by_customer' }))).toEqual({ status: 'voided', failureReason: 'voided' });
  });
});

describe('payment_intent.amount_capturable_updated → payment.authorized', () => {
  const event = (object: Record<string, unknown>) => ({ id: 'evt_1', type: 'payment_intent.amount_capturable_updated', data: { object } }) as unknown as Stripe.Event;

  it('an intent waiting for its capture is authorized for the amount it holds', () => {
    expect(sagaEventFromStripe(event(intent({ status: 'requires_capture', amount_capturable: 1000 })))).toEqual({
      type: 'payment.authorized',
      paymentId: 'pi_1',
      orderId: 'o1',
      amountCents: 1000,
      currency: 'EUR',
    });
  });

  it('once the capturable amount drops (captured or cancelled) the event says nothing new', () => {
    expect(sagaEventFromStripe(event(intent({ status: 'succeeded', amount_capturable: 0 })))).toBeUndefined();
  });
});
