import { randomUUID } from 'node:crypto';
import type { RunningStripeMock } from '../../devtools/stripe-mock';
import { startStripeMock } from '../../devtools/stripe-mock';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { createPaymentProvider } from '../../src/payments/provider-factory';
import { createStripeClient } from '../../src/payments/stripe/stripe-client';
import { StripePaymentProvider } from '../../src/payments/stripe/stripe-payment-provider';
import { testConfig } from '../harness/env';

/**
 * The Stripe adapter against stripe-mock: every request the adapter makes is validated against Stripe's OpenAPI
 * spec (an unknown or malformed parameter fails the call), and every answer is one of Stripe's fixtures, so the
 * mapping is exercised on real Stripe shapes. stripe-mock keeps no state: amounts and currencies are echoed back,
 * statuses come from fixtures (a PaymentIntent whose latest charge succeeded).
 */
describe('StripePaymentProvider against stripe-mock', () => {
  let mock: RunningStripeMock;
  let provider: StripePaymentProvider;
  beforeAll(async () => {
    mock = await startStripeMock();
    provider = new StripePaymentProvider(createStripeClient({ STRIPE_SECRET_KEY: 'sk_test_contract', STRIPE_API_BASE: mock.url }));
  });
  afterAll(async () => {
    await mock?.stop();
  });

  const charge = (overrides: Partial<Parameters<StripePaymentProvider['createPayment']>[0]> = {}) => {
    const orderId = randomUUID();
    return provider.createPayment({ orderId, customerId: 'cust-1', amountCents: 1500, currency: 'EUR', token: 'pm_card_visa', idempotencyKey: orderId, ...overrides });
  };

  it('the factory picks the adapter PAYMENT_PROVIDER names', () => {
    expect(createPaymentProvider(testConfig({ PAYMENT_PROVIDER: 'stripe', STRIPE_API_BASE: mock.url }))).toBeInstanceOf(StripePaymentProvider);
    expect(createPaymentProvider(testConfig({ PAYMENT_PROVIDER: 'simulator' }))).not.toBeInstanceOf(StripePaymentProvider);
  });

  it('create + confirm: a PaymentIntent id, the amount in minor units and the currency of the order', async () => {
    const payment = await charge();
    expect(payment.id).toMatch(/^pi_/);
    expect(payment).toMatchObject({ amountCents: 1500, currency: 'EUR' });
    expect(['pending', 'succeeded', 'failed']).toContain(payment.status);
  });

  it('zero-decimal currencies are sent as they are; ISK is sent with Stripe’s two decimals and read back', async () => {
    expect(await charge({ amountCents: 1500, currency: 'JPY' })).toMatchObject({ amountCents: 1500, currency: 'JPY' });
    expect(await charge({ amountCents: 99_999_999, currency: 'KRW' })).toMatchObject({ amountCents: 99_999_999, currency: 'KRW' });
    expect(await charge({ amountCents: 500, currency: 'ISK' })).toMatchObject({ amountCents: 500, currency: 'ISK' });
  });

  it('retrieve: the PaymentIntent with its charge; the fixture’s succeeded charge reads as succeeded', async () => {
    const created = await charge();
    const payment = await provider.getPayment(created.id);
    expect(payment).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(Number.isInteger(payment!.amountCents)).toBe(true);
  });

  it('an id Stripe cannot route is not a payment: undefined, not an error', async () => {
    expect(await provider.getPayment('pi_x/../../v1/charges')).toBeUndefined();
  });

  it('void cancels the PaymentIntent; refund creates a Refund and reads as refunded', async () => {
    const created = await charge();
    const voided = await provider.voidPayment(created.id);
    expect(voided.id).toBe(created.id);
    const refunded = await provider.refundPayment(created.id, `refund:${created.id}`);
    expect(refunded).toMatchObject({ id: created.id, status: 'refunded' });
  });

  it('a partial refund sends `amount` in Stripe units under its own key, and reads Stripe’s refund back', async () => {
    const created = await charge();
    const refund = await provider.refundPart({ paymentId: created.id, amountCents: 400, currency: 'EUR', idempotencyKey: `refund:${created.id}:r1` });
    expect(refund.id).toMatch(/^re_/);
    expect(refund).toMatchObject({ amountCents: 400 });
    expect(['succeeded', 'pending']).toContain(refund.status);
    expect(await provider.refundPart({ paymentId: created.id, amountCents: 5, currency: 'ISK', idempotencyKey: `refund:${created.id}:r2` })).toMatchObject({ amountCents: 5 });
  });

  it('listPayments searches PaymentIntents by the order id in their metadata', async () => {
    const payments = await provider.listPayments("order-with-'quote'");
    expect(payments.length).toBeGreaterThan(0);
    for (const p of payments) expect(p.id).toMatch(/^pi_/);
  });

  it('accepts PaymentMethod ids only', () => {
    expect(provider.acceptsPaymentMethod('pm_card_visa')).toBe(true);
    expect(provider.acceptsPaymentMethod('pm_card_chargeDeclinedInsufficientFunds')).toBe(true);
    expect(provider.acceptsPaymentMethod('tok_visa')).toBe(false);
    expect(provider.acceptsPaymentMethod('pm_')).toBe(false);
    expect(provider.acceptsPaymentMethod('pm_card visa')).toBe(false);
  });

  it('Stripe not answering is a retryable network error', async () => {
    const nowhere = new StripePaymentProvider(createStripeClient({ STRIPE_SECRET_KEY: 'sk_test_contract', STRIPE_API_BASE: 'http://127.0.0.1:1' }, 2_000));
    const err = await nowhere.getPayment('pi_1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect(err).toMatchObject({ code: 'network_error', retryable: true });
  });
});
