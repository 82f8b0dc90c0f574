import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { plainQuery } from '../db/plain-sql';
import { DomainError, ValidationError } from '../errors';
import type { Delivery } from './deliver';
import { DELIVERIES } from './deliver';

/** Who sent the webhook: the route it came in by (`carrier`: POST /webhooks/carrier; the others are payments). */
export type WebhookProvider = 'simulator' | 'stripe' | 'carrier';

/**
 * What became of a delivery. The deliveries are final: a redelivery of such an event is answered from the inbox.
 * `order_not_found`: what the event names (an order; for the carrier, a tracking number) is not known (yet), retried.
 */
export type InboxOutcome = Delivery | 'received' | 'order_not_found' | 'malformed';
const FINAL: ReadonlySet<InboxOutcome> = new Set(DELIVERIES);

/** Event ids and types kept in the inbox: printable ASCII (no NUL, which PostgreSQL text refuses), 1–255 long. */
const inboxText = z.string().regex(/^[\x20-\x7e]{1,255}$/);
const envelopeSchema = z.object({ id: inboxText.optional().catch(undefined), type: inboxText.optional().catch(undefined) });

/** The id and type a webhook body names, when it names usable ones; nothing is trusted or required here. */
export function readEnvelope(body: unknown): { id?: string; type?: string } {
  const parsed = envelopeSchema.safeParse(body);
  return parsed.success ? parsed.data : {};
}

export interface WebhookDelivery {
  provider: WebhookProvider;
  raw: Buffer;
  eventId?: string;
  eventType?: string;
}

/** Keeps a verified delivery refused before it could be handled (a body that fails the route's schema). */
export async function recordMalformed(em: EntityManager, delivery: WebhookDelivery): Promise<void> {
  const row = await receive(em, delivery);
  if (!FINAL.has(row.outcome)) await settle(em, row.id, 'malformed');
}

/** One verified event as the inbox holds it. */
interface InboxRow {
  id: string;
  outcome: InboxOutcome;
}

/** Stores the first delivery of a verified event; a redelivery counts on the same row. Returns the row. */
async function receive(em: EntityManager, delivery: WebhookDelivery): Promise<InboxRow> {
  const [row] = await plainQuery<InboxRow>(
    em,
    `INSERT INTO payment_webhook_events (provider, event_id, event_type, raw_body, signature_valid, outcome)
     VALUES ($1, $2, $3, $4, true, 'received')
     ON CONFLICT (provider, event_id) WHERE signature_valid DO UPDATE
       SET deliveries = payment_webhook_events.deliveries + 1, last_received_at = now()
     RETURNING id::text AS id, outcome`,
    [delivery.provider, delivery.eventId ?? null, delivery.eventType ?? null, delivery.raw],
  );
  return row;
}

async function settle(em: EntityManager, id: string, outcome: InboxOutcome, orderId?: string): Promise<void> {
  await plainQuery(
    em,
    `UPDATE payment_webhook_events SET outcome = $1, order_id = COALESCE($2, order_id), handled_at = now() WHERE id = $3`,
    [outcome, orderId ?? null, id],
  );
}

/** What a handled event came to, and for which order. */
export interface Handled {
  outcome: Delivery;
  orderId?: string;
  /** Ignored because the event is about a payment of someone else's (another system on the provider account). */
  notOurs?: boolean;
}

/** What receiving a verified delivery answers: what it came to, which event, and whether it was a redelivery. */
export interface WebhookReceipt extends Handled {
  eventId: string;
  /** The saga's event type (`payment.succeeded`…), or the provider's own for an event the service ignores. */
  type: string;
  /** Answered from the inbox: this event had been handled before. */
  duplicate: boolean;
}

/**
 * Runs a verified event through the inbox, exactly once in effect:
 *  - a redelivery of an event already handled (signalled, refund started, ignored) is answered from the inbox,
 *    `handle` is not called;
 *  - otherwise `handle` runs (the saga ignores a duplicate signal, so two concurrent first deliveries are harmless)
 *    and its outcome is stored. An unknown order (404) or a malformed event (400) is stored as such and rethrown: the
 *    provider retries, and the next delivery is handled afresh. Any other failure leaves the event `received`, so
 *    the provider's retry handles it too.
 */
export async function throughInbox(em: EntityManager, delivery: WebhookDelivery, handle: () => Promise<Handled>): Promise<Handled & { duplicate: boolean }> {
  const row = await receive(em, delivery);
  if (FINAL.has(row.outcome)) return { outcome: row.outcome as Handled['outcome'], duplicate: true };
  let handled: Handled;
  try {
    handled = await handle();
  } catch (err) {
    const outcome = failedOutcome(err);
    if (outcome) await settle(em, row.id, outcome);
    throw err;
  }
  await settle(em, row.id, handled.outcome, handled.orderId);
  return { ...handled, duplicate: false };
}

function failedOutcome(err: unknown): InboxOutcome | undefined {
  if (err instanceof DomainError && err.code === 'not_found') return 'order_not_found';
  if (err instanceof z.ZodError || err instanceof ValidationError) return 'malformed';
  return undefined;
}
