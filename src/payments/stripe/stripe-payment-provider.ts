import type Stripe from 'stripe';
import type {
  CaptureInput,
  CreatePaymentInput,
  Payment,
  PaymentProvider,
  ProviderRefund,
  RefundPartInput,
} from '../payment-provider';
import { AUTHORIZATION_EXPIRED_CODE, PaymentProviderError } from '../payment-provider';
import { fromStripeAmount, fromStripeCurrency, toStripeAmount, toStripeCurrency } from './stripe-amounts';
import { ALREADY_REFUNDED, fromStripeError, UNEXPECTED_STATE } from './stripe-errors';
import { paymentFromIntent } from './stripe-payment-mapping';

/** Search pages are at most 100 long; an order has a handful of PaymentIntents at most. */
const SEARCH_PAGE = 100;
const SEARCH_MAX = 1000;

/** A string inside a Stripe search query: quotes and backslashes escaped. */
const searchString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The Stripe adapter, on the official SDK and PaymentIntents:
 *  - charge: a PaymentIntent created and confirmed in one call with the order's PaymentMethod (`pm_…`), automatic
 *    payment methods without redirects (no customer is around to follow one), metadata { orderId, customerId },
 *    the order id as idempotency key;
 *  - manual capture (PAYMENT_CAPTURE=manual): the PaymentIntent is created with `capture_method=manual` and waits in
 *    `requires_capture` (`authorized`) until paymentIntents.capture takes `amount_to_capture` (the rest is released);
 *  - void: the PaymentIntent is cancelled (a `requires_capture` one releases its hold); refund: a Refund of the whole PaymentIntent with its own key;
 *  - lookups retrieve the PaymentIntent with its latest charge, which says whether money moved.
 * Outcomes also arrive as Stripe webhooks (POST /webhooks/stripe).
 */
export class StripePaymentProvider implements PaymentProvider {
  constructor(private readonly stripe: Stripe) {}

  /** Stripe charges PaymentMethod ids: `pm_card_visa` in test mode, `pm_…` ids from Stripe.js in production. */
  acceptsPaymentMethod(token: string): boolean {
    return /^pm_[0-9A-Za-z_]+$/.test(token);
  }

  async createPayment({ orderId, customerId, amountCents, currency, token, idempotencyKey, metadata = {}, capture }: CreatePaymentInput): Promise<Payment> {
    const intent = await this.call('create PaymentIntent', () =>
      this.stripe.paymentIntents.create(
        {
          amount: toStripeAmount(amountCents, currency),
          currency: toStripeCurrency(currency),
          payment_method: token,
          confirm: true,
          ...(capture === 'manual' ? { capture_method: 'manual' as const } : {}),
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { ...stringValues(metadata), orderId, customerId },
          description: `Order ${orderId}`,
          expand: ['latest_charge'],
        },
        { idempotencyKey },
      ),
    );
    return paymentFromIntent(intent);
  }

  async getPayment(id: string): Promise<Payment | undefined> {
    try {
      return paymentFromIntent(await this.retrieve(id));
    } catch (err) {
      if (err instanceof PaymentProviderError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Every PaymentIntent whose metadata names the order, newest first. Stripe's search is eventually consistent
   * (an intent created in the last minute may be missing), so callers that know a payment id use getPayment.
   */
  async listPayments(orderId: string): Promise<Payment[]> {
    return this.call('search PaymentIntents', async () => {
      const found = await this.stripe.paymentIntents
        .search({ query: `metadata['orderId']:${searchString(orderId)}`, limit: SEARCH_PAGE, expand: ['data.latest_charge'] })
        .autoPagingToArray({ limit: SEARCH_MAX });
      return found.map(paymentFromIntent);
    });
  }

  async voidPayment(id: string): Promise<Payment> {
    try {
      const cancelled = await this.call('cancel PaymentIntent', () =>
        this.stripe.paymentIntents.cancel(id, { expand: ['latest_charge'] }, { idempotencyKey: `void:${id}` }),
      );
      return paymentFromIntent(cancelled);
    } catch (err) {
      if (!(err instanceof PaymentProviderError && err.code === UNEXPECTED_STATE)) throw err;
      // Already cancelled (void is idempotent), or too late: it succeeded, which the saga handles as `not_voidable`.
      const current = paymentFromIntent(await this.retrieve(id));
      if (current.status === 'voided' || current.status === 'failed') return current;
      throw new PaymentProviderError({ code: 'not_voidable', message: `PaymentIntent ${id} is ${current.status} and cannot be cancelled`, status: 409, retryable: false });
    }
  }

  /**
   * Captures a `requires_capture` PaymentIntent (`amount_to_capture`; Stripe releases the rest of the hold). Stripe
   * refuses any other state: the intent is then read again, and one already captured is answered as it is, one
   * cancelled by Stripe (its authorization expired, `cancellation_reason: automatic`) is `authorization_expired`.
   */
  async capturePayment(id: string, { amountCents, idempotencyKey }: CaptureInput): Promise<Payment> {
    try {
      const current = await this.retrieve(id);
      const captured = await this.call('capture PaymentIntent', () =>
        this.stripe.paymentIntents.capture(
          id,
          { amount_to_capture: toStripeAmount(amountCents, fromStripeCurrency(current.currency)), expand: ['latest_charge'] },
          { idempotencyKey },
        ),
      );
      return paymentFromIntent(captured);
    } catch (err) {
      if (!(err instanceof PaymentProviderError && err.code === UNEXPECTED_STATE)) throw err;
      const intent = await this.retrieve(id);
      const current = paymentFromIntent(intent);
      if (current.status === 'succeeded' || current.status === 'refunded') return current;
      if (intent.status === 'canceled' && intent.cancellation_reason === 'automatic') {
        throw new PaymentProviderError({ code: AUTHORIZATION_EXPIRED_CODE, message: `the authorization of PaymentIntent ${id} has expired`, status: 409, retryable: false });
      }
      throw new PaymentProviderError({ code: 'not_capturable', message: `PaymentIntent ${id} is ${current.status} and cannot be captured`, status: 409, retryable: false });
    }
  }

  async refundPayment(id: string, idempotencyKey: string): Promise<Payment> {
    let refund: Stripe.Refund | undefined;
    try {
      refund = await this.call('create Refund', () =>
        this.stripe.refunds.create({ payment_intent: id, reason: 'requested_by_customer' }, { idempotencyKey }),
      );
    } catch (err) {
      if (!(err instanceof PaymentProviderError && err.code === ALREADY_REFUNDED)) throw err;
    }
    if (refund && (refund.status === 'failed' || refund.status === 'canceled')) {
      throw new PaymentProviderError({
        code: 'refund_failed',
        message: `Refund ${refund.id} of ${id} is ${refund.status}${refund.failure_reason ? ` (${refund.failure_reason})` : ''}`,
        retryable: false,
        details: { refundId: refund.id, failureReason: refund.failure_reason },
      });
    }
    const payment = paymentFromIntent(await this.retrieve(id));
    // A succeeded refund is the proof the money went back; a pending one shows as refunded once the charge says so.
    return refund?.status === 'succeeded' || refund === undefined ? { ...payment, status: 'refunded', failureReason: undefined } : payment;
  }

  /**
   * A Refund of part of the PaymentIntent (`amount`), under its own key. Stripe's answer is believed: its amount,
   * and its status (`pending` refunds are on their way; `failed` or `canceled` ones are refused).
   */
  async refundPart({ paymentId, amountCents, currency, idempotencyKey }: RefundPartInput): Promise<ProviderRefund> {
    const refund = await this.call('create Refund', () =>
      this.stripe.refunds.create(
        { payment_intent: paymentId, amount: toStripeAmount(amountCents, currency), reason: 'requested_by_customer' },
        { idempotencyKey },
      ),
    );
    // The refund is in the PaymentIntent's currency, the one asked for.
    const amount = fromStripeAmount(refund.amount, currency);
    if (refund.status === 'failed' || refund.status === 'canceled') {
      return {
        id: refund.id,
        amountCents: amount,
        status: 'failed',
        failureReason: refund.failure_reason ?? refund.status,
      };
    }
    return { id: refund.id, amountCents: amount, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' };
  }

  private retrieve(id: string): Promise<Stripe.PaymentIntent> {
    return this.call('retrieve PaymentIntent', () => this.stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }));
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw fromStripeError(err, `Stripe ${what}`);
    }
  }
}

/** Stripe metadata values are strings. */
function stringValues(metadata: NonNullable<CreatePaymentInput['metadata']>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, v === null ? '' : String(v)]));
}
