import type Stripe from 'stripe';
import { sagaEventFromStripe } from '../../src/webhooks/stripe-map';

// Stripe's charge.dispute.* events map to the simulator's dispute.created / dispute.closed (Stripe-shaped payloads).
describe('Stripe dispute events → dispute events', () => {
  const dispute = (fields: Record<string, unknown> = {}) => ({
    id: 'dp_1',
    object: 'dispute',
    amount: 2500,
    currency: 'eur',
    charge: 'ch_1',
    payment_intent: 'pi_1',
    reason: 'fraudulent',
    status: 'needs_response',
    metadata: {},
    ...fields,
  });
  const event = (type: string, object: Record<string, unknown>) =>
    ({ id: 'evt_1', object: 'event', type, created: 1, data: { object } }) as unknown as Stripe.Event;

  it('charge.dispute.created → dispute.created, open, for the PaymentIntent, in minor units of the currency', () => {
    expect(sagaEventFromStripe(event('charge.dispute.created', dispute()))).toEqual({
      type: 'dispute.created',
      paymentId: 'pi_1',
      amountCents: 2500,
      currency: 'EUR',
      dispute: { id: 'dp_1', status: 'open', amountCents: 2500, reason: 'fraudulent' },
    });
    const yen = sagaEventFromStripe(event('charge.dispute.created', dispute({ amount: 1200, currency: 'jpy', payment_intent: { id: 'pi_2' } })));
    expect(yen).toMatchObject({ paymentId: 'pi_2', amountCents: 1200, currency: 'JPY', dispute: { amountCents: 1200 } });
  });

  it.each([
    ['won', 'won'],
    ['warning_closed', 'won'],
    ['lost', 'lost'],
  ])('charge.dispute.closed with status %s → dispute.closed %s', (stripeStatus, status) => {
    expect(sagaEventFromStripe(event('charge.dispute.closed', dispute({ status: stripeStatus })))).toMatchObject({
      type: 'dispute.closed',
      paymentId: 'pi_1',
      dispute: { id: 'dp_1', status },
    });
  });

  it('ignores a close that decided nothing, and a dispute of a charge without a PaymentIntent', () => {
    expect(sagaEventFromStripe(event('charge.dispute.closed', dispute({ status: 'under_review' })))).toBeUndefined();
    expect(sagaEventFromStripe(event('charge.dispute.created', dispute({ payment_intent: null })))).toBeUndefined();
    expect(sagaEventFromStripe(event('charge.dispute.updated', dispute()))).toBeUndefined();
  });
});
