import type { PaymentEvent } from '../../workflows/order/definitions';
import type { PaymentBinding } from '../../workflows/order/payment-inbox';
import { classifyPaymentEvent } from '../../workflows/order/payment-inbox';

// Which provider events move the order: only those about the saga's own payment, for its amount and currency.
describe('classifyPaymentEvent', () => {
  const binding: PaymentBinding = { paymentId: 'pay_own', known: true, totalCents: 2500, currency: 'EUR', keepsNoMoney: false };
  const event = (overrides: Partial<PaymentEvent>): PaymentEvent => ({ eventId: 'evt_1', type: 'payment.succeeded', paymentId: 'pay_own', amountCents: 2500, currency: 'EUR', ...overrides });

  it('its own success pays the order; the same amount in another currency is a mismatch', () => {
    expect(classifyPaymentEvent(event({}), binding, undefined)).toEqual({ action: 'outcome', outcome: { kind: 'succeeded' } });
    expect(classifyPaymentEvent(event({ currency: 'USD' }), binding, undefined)).toMatchObject({ action: 'outcome', outcome: { kind: 'mismatch' } });
  });

  it('a success of another payment, or of its own once the saga keeps no money, is refunded', () => {
    expect(classifyPaymentEvent(event({ paymentId: 'pay_stray' }), binding, undefined)).toEqual({ action: 'refund', paymentId: 'pay_stray' });
    expect(classifyPaymentEvent(event({}), { ...binding, keepsNoMoney: true }, undefined)).toEqual({ action: 'refund', paymentId: 'pay_own' });
  });

  it('refund confirmations and failures count only for its own payment', () => {
    expect(classifyPaymentEvent(event({ type: 'payment.refunded' }), binding, undefined)).toEqual({ action: 'refund_confirmed' });
    expect(classifyPaymentEvent(event({ type: 'payment.refund_failed', reason: 'expired_or_canceled_card' }), binding, undefined)).toEqual({
      action: 'refund_failed',
      reason: 'expired_or_canceled_card',
    });
    expect(classifyPaymentEvent(event({ type: 'payment.refund_failed' }), binding, undefined)).toEqual({ action: 'refund_failed', reason: 'refund_failed' });
    expect(classifyPaymentEvent(event({ type: 'payment.refund_failed', paymentId: 'pay_other' }), binding, undefined)).toEqual({ action: 'ignore' });
    expect(classifyPaymentEvent(event({ type: 'payment.refunded', paymentId: 'pay_other' }), binding, undefined)).toEqual({ action: 'ignore' });
  });

  it('the first decisive event wins: a failure after a success changes nothing', () => {
    expect(classifyPaymentEvent(event({ type: 'payment.failed', reason: 'card_declined' }), binding, { kind: 'succeeded' })).toEqual({ action: 'ignore' });
    expect(classifyPaymentEvent(event({ type: 'payment.failed', reason: 'card_declined' }), binding, undefined)).toEqual({
      action: 'outcome',
      outcome: { kind: 'failed', reason: 'card_declined' },
    });
  });
});
