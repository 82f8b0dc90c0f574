import type Stripe from 'stripe';
import { DomainError, ValidationError } from '../errors';
import { parseInput } from '../validation';
import { sagaEventFromStripe } from './stripe-map';
import { webhookEventSchema } from '../wire/webhook-event';
import { OrderSchema } from '../orders/entities';
import type { PaymentEventDeps } from './deliver';
import { deliverPaymentEvent } from './deliver';
import type { WebhookReceipt } from './inbox';
import { readEnvelope, throughInbox } from './inbox';
import { plainSqlEm } from '../db/plain-sql';

/**
 * A verified Stripe event (`POST /webhooks/stripe`). The types the saga acts on are mapped to its payment events
 * and go through the same inbox and delivery as `POST /webhooks/payments`; every other type is acknowledged and
 * stored as ignored. An event that names an order the service does not know, or names none and matches none of
 * ours, belongs to someone else on the account: acknowledged, ignored, and counted as not ours.
 */
export async function receiveStripeDelivery(deps: PaymentEventDeps, raw: Buffer, event: Stripe.Event, aboutOrder?: (orderId: string) => void): Promise<WebhookReceipt> {
  const envelope = readEnvelope(event);
  const mapped = sagaEventFromStripe(event);
  const handled = await throughInbox(plainSqlEm(deps.orm), { provider: 'stripe', raw, eventId: envelope.id, eventType: envelope.type }, async () => {
    if (envelope.id === undefined) throw new ValidationError('the event id must be 1–255 printable ASCII characters');
    if (!mapped) return { outcome: 'ignored' };
    const orderId = mapped.orderId ?? (await orderOfPayment(deps, mapped.paymentId));
    if (!orderId) return { outcome: 'ignored' };
    const sagaEvent = parseInput(
      webhookEventSchema,
      {
        id: event.id,
        type: mapped.type,
        createdAt: new Date(event.created * 1000).toISOString(),
        data: {
          paymentId: mapped.paymentId,
          orderId,
          amountCents: mapped.amountCents,
          currency: mapped.currency,
          ...(mapped.reason ? { reason: mapped.reason } : {}),
          ...(mapped.dispute ? { dispute: mapped.dispute } : {}),
        },
      },
      'event',
    );
    aboutOrder?.(orderId);
    try {
      return { outcome: await deliverPaymentEvent(deps, sagaEvent), orderId };
    } catch (err) {
      // The saga records its order before it creates the PaymentIntent, so an order id we do not know was written
      // by someone else on the account: acknowledged (a 404 would have Stripe retry for days, then disable the
      // endpoint), ignored, and counted.
      if (err instanceof DomainError && err.code === 'not_found') return { outcome: 'ignored', notOurs: true };
      throw err;
    }
  });
  return { ...handled, eventId: event.id, type: mapped?.type ?? event.type };
}

/** The order whose saga created this PaymentIntent, for events whose object carries no order metadata. */
async function orderOfPayment(deps: PaymentEventDeps, paymentId: string): Promise<string | undefined> {
  const order = await deps.orm.em.fork().findOne(OrderSchema, { providerPaymentId: paymentId }, { fields: ['id'] });
  return order?.id;
}
