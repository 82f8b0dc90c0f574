import type Stripe from 'stripe';
import { fromStripeAmount, fromStripeCurrency } from '../payments/stripe/stripe-amounts';
import { declineReason } from '../payments/stripe/stripe-errors';
import type { WebhookEventType } from '../wire/webhook-event';

/** A Stripe event in the saga's terms; `orderId` is missing when the object's metadata does not name one. */
export interface MappedStripeEvent {
  type: WebhookEventType;
  paymentId: string;
  orderId?: string;
  amountCents: number;
  currency: string;
  reason?: string;
  /** Dispute events: the dispute, in the service's terms. */
  dispute?: { id: string; status: 'open' | 'won' | 'lost'; amountCents: number; reason: string };
}

const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === 'string' ? ref : ref?.id);

/**
 * The Stripe events the saga acts on, mapped to its payment events; undefined for every other type (acknowledged
 * and ignored). A partial refund is ignored too: the service only ever refunds in full. Disputes map to the
 * simulator's `dispute.created` / `dispute.closed`.
 */
export function sagaEventFromStripe(event: Stripe.Event): MappedStripeEvent | undefined {
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      return fromIntent('payment.succeeded', intent, intent.amount_received || intent.amount);
    }
    case 'payment_intent.amount_capturable_updated': {
      // Manual capture: the PaymentIntent is authorized (requires_capture) for the whole amount it holds.
      const intent = event.data.object;
      if (intent.status !== 'requires_capture') return undefined;
      return fromIntent('payment.authorized', intent, intent.amount_capturable || intent.amount);
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      const error = intent.last_payment_error;
      return { ...fromIntent('payment.failed', intent, intent.amount), reason: declineReason(error?.code, error?.decline_code) };
    }
    case 'payment_intent.canceled':
      return { ...fromIntent('payment.failed', event.data.object, event.data.object.amount), reason: 'voided' };
    case 'charge.refunded': {
      const charge = event.data.object;
      const paymentId = idOf(charge.payment_intent);
      if (!paymentId || !charge.refunded) return undefined;
      return withMoney({ type: 'payment.refunded', paymentId, orderId: charge.metadata?.orderId }, charge.amount, charge.currency);
    }
    case 'refund.failed':
    case 'refund.updated':
    case 'charge.refund.updated': {
      const refund = event.data.object;
      const paymentId = idOf(refund.payment_intent);
      if (!paymentId || refund.status !== 'failed') return undefined;
      return {
        ...withMoney({ type: 'payment.refund_failed', paymentId, orderId: refund.metadata?.orderId }, refund.amount, refund.currency),
        reason: refund.failure_reason ?? 'refund_failed',
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return fromDispute(event.type, event.data.object);
    default:
      return undefined;
  }
}

/**
 * A dispute of a PaymentIntent's charge: `charge.dispute.created` opens it, `charge.dispute.closed` says how it
 * ended — `won`, or `warning_closed` (an inquiry that never became a chargeback: the money stays) as won, `lost`
 * as lost. A dispute without a PaymentIntent is not about one of our payments.
 */
function fromDispute(type: 'charge.dispute.created' | 'charge.dispute.closed', dispute: Stripe.Dispute): MappedStripeEvent | undefined {
  const paymentId = idOf(dispute.payment_intent);
  if (!paymentId) return undefined;
  let status: 'open' | 'won' | 'lost' = 'open';
  if (type === 'charge.dispute.closed') {
    if (dispute.status === 'lost') status = 'lost';
    else if (dispute.status === 'won' || dispute.status === 'warning_closed') status = 'won';
    else return undefined;
  }
  const mapped = withMoney(
    { type: type === 'charge.dispute.created' ? 'dispute.created' : 'dispute.closed', paymentId, orderId: dispute.metadata?.orderId },
    dispute.amount,
    dispute.currency,
  );
  return { ...mapped, dispute: { id: dispute.id, status, amountCents: mapped.amountCents, reason: dispute.reason || 'general' } };
}

function fromIntent(type: WebhookEventType, intent: Stripe.PaymentIntent, amount: number): MappedStripeEvent {
  return withMoney({ type, paymentId: intent.id, orderId: intent.metadata?.orderId }, amount, intent.currency);
}

function withMoney(base: Pick<MappedStripeEvent, 'type' | 'paymentId' | 'orderId'>, amount: number, currency: string): MappedStripeEvent {
  const upper = fromStripeCurrency(currency);
  return { ...base, orderId: base.orderId || undefined, amountCents: fromStripeAmount(amount, upper), currency: upper };
}
