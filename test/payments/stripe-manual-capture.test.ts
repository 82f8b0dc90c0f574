import { randomUUID } from 'node:crypto';
import type { RunningStripeMock } from '../../devtools/stripe-mock';
import { startStripeMock } from '../../devtools/stripe-mock';
import { createStripeClient } from '../../src/payments/stripe/stripe-client';
import { StripePaymentProvider } from '../../src/payments/stripe/stripe-payment-provider';

/**
 * Manual capture through the Stripe adapter against stripe-mock: the requests (capture_method=manual,
 * paymentIntents.capture with amount_to_capture, the cancel of an intent) are validated against Stripe's OpenAPI
 * spec; stripe-mock keeps no state, so the answers are its fixtures (amounts echoed back).
 */
describe('StripePaymentProvider manual capture against stripe-mock', () => {
  let mock: RunningStripeMock;
  let provider: StripePaymentProvider;
  beforeAll(async () => {
    mock = await startStripeMock();
    provider = new StripePaymentProvider(createStripeClient({ STRIPE_SECRET_KEY: 'sk_test_contract', STRIPE_API_BASE: mock.url }));
  });
  afterAll(async () => {
    await mock?.stop();
  });

  const authorize = () => {
    const orderId = randomUUID();
    return provider.createPayment({ orderId, customerId: 'cust-1', amountCents: 1500, currency: 'EUR', token: 'pm_card_visa', idempotencyKey: orderId, capture: 'manual' });
  };

  it('creates the PaymentIntent with capture_method=manual', async () => {
    const payment = await authorize();
    expect(payment.id).toMatch(/^pi_/);
    expect(payment).toMatchObject({ amountCents: 1500, currency: 'EUR' });
  });

  it('captures with amount_to_capture under the capture key, and reads the intent back', async () => {
    const created = await authorize();
    const captured = await provider.capturePayment(created.id, { amountCents: 1200, idempotencyKey: `capture:${randomUUID()}` });
    expect(captured.id).toBe(created.id);
    expect(['succeeded', 'authorized', 'pending']).toContain(captured.status);
  });

  it('a void before the capture cancels the intent (the hold is released)', async () => {
    const created = await authorize();
    expect((await provider.voidPayment(created.id)).id).toBe(created.id);
  });
});
