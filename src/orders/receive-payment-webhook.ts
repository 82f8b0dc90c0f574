import { HttpError } from '../api/error-middleware';
import type { ApiDeps } from '../api/deps';
import { parseRequest } from '../api/validate';
import { WEBHOOK_EVENT_TYPES, webhookEventSchema } from '../payments/webhook-event';
import { verifyWebhookSignature } from '../payments/webhook-signature';
import { deliverPaymentEvent } from './payment-webhooks';
import type { Handled } from './webhook-inbox';
import { readEnvelope, recordUnverified, throughInbox } from './webhook-inbox';

export interface WebhookRequest {
  /** The exact bytes received: signatures are computed over them, and the inbox keeps them. */
  raw: Buffer;
  /** The signature header, if any. */
  signature: string | undefined;
  /** The body as parsed JSON (the API's body parser has already refused anything else). */
  body: unknown;
}

export interface WebhookReceipt extends Handled {
  eventId: string;
  /** The saga's event type (`payment.succeeded`…), or the provider's own for an event the service ignores. */
  type: string;
  /** Answered from the inbox: this event had been handled before. */
  duplicate: boolean;
}

const KNOWN_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/**
 * `POST /webhooks/payments`, the service's own webhook format (the simulator speaks it): Payment-Signature
 * verified, then the event goes through the inbox to the order's saga. A bad signature is 401 (and kept as
 * such); an event type the service does not know is acknowledged and stored as ignored; an unknown order is 404.
 */
export async function receivePaymentWebhook(deps: ApiDeps, request: WebhookRequest): Promise<WebhookReceipt> {
  const em = deps.orm.em.fork();
  const envelope = readEnvelope(request.body);
  const delivery = { provider: 'simulator' as const, raw: request.raw, eventId: envelope.id, eventType: envelope.type };
  if (!verifyWebhookSignature(deps.config.PAYMENT_WEBHOOK_SECRET, request.signature, request.raw, Math.floor(Date.now() / 1000))) {
    await recordUnverified(em, delivery);
    throw new HttpError(401, 'invalid_signature', 'the Payment-Signature header is missing, wrong or stale');
  }
  const handled = await throughInbox(em, delivery, async () => {
    if (envelope.type !== undefined && envelope.id !== undefined && !KNOWN_TYPES.has(envelope.type)) return { outcome: 'ignored' };
    const event = parseRequest(webhookEventSchema, request.body, 'body');
    if (envelope.id === undefined) throw new HttpError(400, 'validation_failed', 'the event id must be 1–255 printable ASCII characters');
    return { outcome: await deliverPaymentEvent(deps, event), orderId: event.data.orderId };
  });
  return { ...handled, eventId: envelope.id ?? '', type: envelope.type ?? '' };
}
