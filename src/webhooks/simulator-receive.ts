import { ValidationError } from '../errors';
import { parseInput } from '../validation';
import { WEBHOOK_EVENT_TYPES, webhookEventSchema } from '../wire/webhook-event';
import type { PaymentEventDeps } from './deliver';
import { deliverPaymentEvent } from './deliver';
import type { WebhookReceipt } from './inbox';
import { readEnvelope, throughInbox } from './inbox';
import { plainSqlEm } from '../db/plain-sql';

const KNOWN_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/**
 * A verified delivery to `POST /webhooks/payments` (the service's own format, which the simulator speaks): through
 * the inbox to the order's saga. An event type the service does not know is acknowledged and stored as ignored;
 * an unknown order is 404 (the provider retries); a malformed event of a known type is 400. `aboutOrder` learns
 * the order an event names before it is delivered (for the request's log lines).
 */
export async function receiveSimulatorDelivery(deps: PaymentEventDeps, raw: Buffer, body: unknown, aboutOrder?: (orderId: string) => void): Promise<WebhookReceipt> {
  const envelope = readEnvelope(body);
  const delivery = { provider: 'simulator' as const, raw, eventId: envelope.id, eventType: envelope.type };
  const handled = await throughInbox(plainSqlEm(deps.orm), delivery, async () => {
    if (envelope.type !== undefined && envelope.id !== undefined && !KNOWN_TYPES.has(envelope.type)) return { outcome: 'ignored' };
    const event = parseInput(webhookEventSchema, body, 'body');
    if (envelope.id === undefined) throw new ValidationError('the event id must be 1–255 printable ASCII characters');
    aboutOrder?.(event.data.orderId);
    return { outcome: await deliverPaymentEvent(deps, event), orderId: event.data.orderId };
  });
  return { ...handled, eventId: envelope.id ?? '', type: envelope.type ?? '' };
}
