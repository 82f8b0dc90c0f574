import Stripe from 'stripe';
import { toActivityFailure } from '../../activities/errors';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { fromStripeAmount, STRIPE_ZERO_DECIMAL_CURRENCIES, toStripeAmount } from '../../src/payments/stripe/stripe-amounts';
import { fromStripeError } from '../../src/payments/stripe/stripe-errors';
import { statusOfIntent } from '../../src/payments/stripe/stripe-payment-mapping';

const raw = (type: string, extra: Record<string, unknown> = {}) => ({ type, message: `a ${type}`, ...extra }) as never;

describe('Stripe errors → what the saga does', () => {
  it('a card error is a decline: not retryable, its reason as the code', () => {
    const declined = fromStripeError(new Stripe.errors.StripeCardError(raw('card_error', { code: 'card_declined', decline_code: 'generic_decline', statusCode: 402 })), 'x');
    expect(declined).toMatchObject({ code: 'card_declined', retryable: false, status: 402 });
    const poor = fromStripeError(new Stripe.errors.StripeCardError(raw('card_error', { code: 'card_declined', decline_code: 'insufficient_funds' })), 'x');
    expect(poor).toMatchObject({ code: 'insufficient_funds', retryable: false });
    expect(fromStripeError(new Stripe.errors.StripeCardError(raw('card_error', { code: 'expired_card' })), 'x')).toMatchObject({ code: 'expired_card' });
  });

  it('rate limits, connection errors and Stripe 5xx are retryable', () => {
    expect(fromStripeError(new Stripe.errors.StripeRateLimitError(raw('rate_limit_error', { statusCode: 429 })), 'x')).toMatchObject({ retryable: true });
    expect(fromStripeError(new Stripe.errors.StripeConnectionError(raw('api_connection_error')), 'x')).toMatchObject({ code: 'network_error', retryable: true });
    expect(fromStripeError(new Stripe.errors.StripeAPIError(raw('api_error', { statusCode: 500 })), 'x')).toMatchObject({ retryable: true });
  });

  it('an invalid request is final; its code reaches the activity failure, its text (which may echo what was sent) does not', () => {
    const err = fromStripeError(new Stripe.errors.StripeInvalidRequestError(raw('invalid_request_error', { code: 'amount_too_small', statusCode: 400, message: 'Amount must be at least €0.50 eur' })), 'Stripe create PaymentIntent');
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect(err).toMatchObject({ code: 'amount_too_small', retryable: false, status: 400 });
    const failure = toActivityFailure(err) as { type: string; nonRetryable: boolean; message: string; details: unknown[] };
    expect(failure).toMatchObject({ type: 'payment_rejected', nonRetryable: true, details: [{ code: 'amount_too_small', status: 400 }] });
    expect(failure.message).not.toContain('Amount must be at least');
  });

  it('anything that is not a Stripe error is left as it is', () => {
    const plain = new Error('boom');
    expect(fromStripeError(plain, 'x')).toBe(plain);
  });
});

describe('PaymentIntent → payment status', () => {
  const intent = (fields: Record<string, unknown>) => ({ id: 'pi_1', amount: 100, currency: 'eur', metadata: {}, latest_charge: null, last_payment_error: null, ...fields }) as never;
  const charge = (fields: Record<string, unknown>) => ({ object: 'charge', status: 'succeeded', refunded: false, ...fields });

  it.each([
    [{ status: 'succeeded', latest_charge: charge({}) }, 'succeeded'],
    [{ status: 'succeeded', latest_charge: charge({ refunded: true }) }, 'refunded'],
    [{ status: 'processing' }, 'pending'],
    [{ status: 'requires_action' }, 'pending'],
    [{ status: 'requires_confirmation' }, 'pending'],
    [{ status: 'requires_payment_method' }, 'pending'],
    [{ status: 'requires_capture', latest_charge: charge({}) }, 'pending'],
    [{ status: 'canceled' }, 'voided'],
    [{ status: 'canceled', latest_charge: charge({}) }, 'voided'],
  ])('%j → %s', (fields, status) => {
    expect(statusOfIntent(intent(fields)).status).toBe(status);
  });

  it('a failed attempt is failed, with the decline reason', () => {
    expect(statusOfIntent(intent({ status: 'requires_payment_method', last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' } }))).toEqual({
      status: 'failed',
      failureReason: 'insufficient_funds',
    });
  });
});

describe('amounts in minor units', () => {
  it('zero-decimal currencies are never multiplied by 100', () => {
    for (const currency of STRIPE_ZERO_DECIMAL_CURRENCIES) expect(toStripeAmount(1500, currency)).toBe(1500);
    expect(toStripeAmount(1999, 'EUR')).toBe(1999);
    expect(toStripeAmount(1990, 'kwd')).toBe(1990);
  });

  it('ISK: whole krónur, written with two decimals at Stripe', () => {
    expect(toStripeAmount(500, 'ISK')).toBe(50_000);
    expect(fromStripeAmount(50_000, 'isk')).toBe(500);
  });

  it('refuses what is not an amount', () => {
    expect(() => toStripeAmount(1.5, 'EUR')).toThrow(RangeError);
    expect(() => toStripeAmount(-1, 'EUR')).toThrow(RangeError);
  });
});
