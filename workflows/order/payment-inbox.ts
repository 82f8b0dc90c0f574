import type { PaymentEvent } from './definitions';
import type { DeclineReason } from './state-machine';
import { declineReason } from './state-machine';

export type PaymentOutcome = { kind: 'succeeded' } | { kind: 'failed'; reason: DeclineReason } | { kind: 'mismatch'; event: PaymentEvent };

/** What the saga knows about the one payment it created, and which of the provider's events concern it. */
export interface PaymentBinding {
  /** The saga's own payment id; undefined before the provider answered, or when no charge was requested. */
  paymentId?: string;
  /** True once the saga knows whether (and which) payment it made: events wait in the inbox until then. */
  known: boolean;
  totalCents: number;
  currency: string;
  /** The saga has decided not to keep this order's money (declined, timed out, cancelled, refunding). */
  keepsNoMoney: boolean;
}

export type InboxVerdict =
  | { action: 'outcome'; outcome: PaymentOutcome }
  | { action: 'refund'; paymentId: string }
  | { action: 'refund_confirmed' }
  | { action: 'refund_failed'; reason: string }
  | { action: 'ignore' };

/**
 * Binds a provider event to the saga's own payment. An event moves the order only when it names that payment with
 * the order's amount and currency; a success for any other payment of the order (a stray, duplicate or late
 * charge), or for the saga's own payment once the saga keeps no money, is to be refunded.
 */
export function classifyPaymentEvent(event: PaymentEvent, binding: PaymentBinding, decided: PaymentOutcome | undefined): InboxVerdict {
  const own = binding.paymentId !== undefined && event.paymentId === binding.paymentId;
  switch (event.type) {
    case 'payment.refunded':
      return own ? { action: 'refund_confirmed' } : { action: 'ignore' };
    case 'payment.refund_failed':
      // The refund of the saga's own payment did not go through: the money is still the merchant's.
      return own ? { action: 'refund_failed', reason: event.reason ?? 'refund_failed' } : { action: 'ignore' };
    case 'payment.failed':
      // The first decisive event wins; a failure of another payment changes nothing for this order.
      return own && !decided ? { action: 'outcome', outcome: { kind: 'failed', reason: declineReason(event.reason) } } : { action: 'ignore' };
    // An authorization (manual capture) holds the money for the order: it decides the payment like a success, and
    // one the order does not keep is given back the same way (the refund voids a hold).
    case 'payment.authorized':
    case 'payment.succeeded': {
      if (!own || binding.keepsNoMoney || (decided && decided.kind !== 'succeeded')) return { action: 'refund', paymentId: event.paymentId };
      if (decided) return { action: 'ignore' }; // the same success again, under another event id
      const matches = event.amountCents === binding.totalCents && event.currency === binding.currency;
      return { action: 'outcome', outcome: matches ? { kind: 'succeeded' } : { kind: 'mismatch', event } };
    }
    default:
      return { action: 'ignore' };
  }
}
