import { verifyStandardWebhook } from '../wire/standard-webhooks';
import { newId } from './ids';

/** One delivery a subscriber received, as it came. */
export interface ReceivedDelivery {
  webhookId: string | null;
  webhookTimestamp: string | null;
  webhookSignature: string | null;
  /** The raw body, so a test can check the signature itself (e.g. with the `standardwebhooks` package). */
  body: string;
  type: string | null;
  orderId: string | null;
  /** The signature checked out with the subscriber's secret (false when it has none yet). */
  verified: boolean;
  answeredWith: number;
  receivedAt: string;
}

interface Subscriber {
  id: string;
  secret: string | null;
  /** Status codes to answer each message's attempts with, in turn (counted per webhook-id), before `answer` applies. */
  script: number[];
  attemptsById: Map<string, number>;
  answer: number;
  deliveries: ReceivedDelivery[];
}

export interface SubscriberSettings {
  secret?: string | null;
  answer?: number;
  script?: number[];
}

/**
 * Webhook subscribers: receivers of the service's outbound order events (Standard Webhooks) that verify each
 * delivery's signature with their secret, record it, and answer what they were told to (200 by default; 500 or 410
 * to try the relay's retries and an endpoint being disabled).
 */
export class SubscriberStore {
  private readonly subscribers = new Map<string, Subscriber>();

  constructor(private readonly now: () => Date) {}

  create(settings: SubscriberSettings): { id: string } {
    const subscriber: Subscriber = { id: newId('sub'), secret: null, script: [], attemptsById: new Map(), answer: 200, deliveries: [] };
    this.subscribers.set(subscriber.id, subscriber);
    this.configure(subscriber.id, settings);
    return { id: subscriber.id };
  }

  /** Undefined when there is no such subscriber. */
  configure(id: string, settings: SubscriberSettings): { id: string; answer: number; script: number[]; hasSecret: boolean } | undefined {
    const subscriber = this.subscribers.get(id);
    if (!subscriber) return undefined;
    if (settings.secret !== undefined) subscriber.secret = settings.secret;
    if (settings.answer !== undefined) subscriber.answer = settings.answer;
    if (settings.script !== undefined) subscriber.script = [...settings.script];
    return { id, answer: subscriber.answer, script: [...subscriber.script], hasSecret: subscriber.secret !== null };
  }

  /** Records a delivery and returns the status to answer with; undefined when there is no such subscriber. */
  receive(id: string, headers: Record<string, string | string[] | undefined>, rawBody: string): number | undefined {
    const subscriber = this.subscribers.get(id);
    if (!subscriber) return undefined;
    const header = (name: string) => {
      const value = headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? null;
    };
    let parsed: { type?: unknown; data?: { order?: { id?: unknown } } } = {};
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      // recorded as it came; not an event
    }
    const verified = subscriber.secret !== null && verifyStandardWebhook(subscriber.secret, headers, rawBody, Math.floor(this.now().getTime() / 1000)) === undefined;
    const webhookId = header('webhook-id') ?? '';
    const attempt = subscriber.attemptsById.get(webhookId) ?? 0;
    subscriber.attemptsById.set(webhookId, attempt + 1);
    const answeredWith = subscriber.script[attempt] ?? subscriber.answer;
    subscriber.deliveries.push({
      webhookId: webhookId || null,
      webhookTimestamp: header('webhook-timestamp'),
      webhookSignature: header('webhook-signature'),
      body: rawBody,
      type: typeof parsed.type === 'string' ? parsed.type : null,
      orderId: typeof parsed.data?.order?.id === 'string' ? parsed.data.order.id : null,
      verified,
      answeredWith,
      receivedAt: this.now().toISOString(),
    });
    return answeredWith;
  }

  deliveries(id: string): ReceivedDelivery[] | undefined {
    return this.subscribers.get(id)?.deliveries.map((d) => ({ ...d }));
  }
}
