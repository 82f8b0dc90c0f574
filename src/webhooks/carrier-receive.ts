import { ValidationError } from '../errors';
import type { CarrierEventDeps } from '../shipping/carrier-events';
import { deliverCarrierEvent } from '../shipping/carrier-events';
import { parseInput } from '../validation';
import { CARRIER_EVENT_TYPES, carrierEventSchema } from '../wire/carrier-event';
import type { WebhookReceipt } from './inbox';
import { readEnvelope, throughInbox } from './inbox';
import { plainSqlEm } from '../db/plain-sql';

const KNOWN_TYPES = new Set<string>(CARRIER_EVENT_TYPES);

/**
 * A verified delivery to `POST /webhooks/carrier`: through the webhook inbox (provider `carrier`, so its event ids
 * never meet the payment providers') to the order's saga. An event type the service does not know is acknowledged
 * and stored as ignored; a malformed event is 400; a tracking number not known (yet) is 404, so the carrier retries. `aboutOrder` learns the order an event names (for the request's log lines).
 */
export async function receiveCarrierDelivery(deps: CarrierEventDeps, raw: Buffer, body: unknown, aboutOrder?: (orderId: string) => void): Promise<WebhookReceipt> {
  const envelope = readEnvelope(body);
  const delivery = { provider: 'carrier' as const, raw, eventId: envelope.id, eventType: envelope.type };
  const handled = await throughInbox(plainSqlEm(deps.orm), delivery, async () => {
    if (envelope.type !== undefined && envelope.id !== undefined && !KNOWN_TYPES.has(envelope.type)) return { outcome: 'ignored' };
    const event = parseInput(carrierEventSchema, body, 'body');
    if (envelope.id === undefined) throw new ValidationError('the event id must be 1–255 printable ASCII characters');
    return deliverCarrierEvent(deps, event, aboutOrder);
  });
  return { ...handled, eventId: envelope.id ?? '', type: envelope.type ?? '' };
}
