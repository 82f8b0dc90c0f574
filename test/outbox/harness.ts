import { Webhook } from 'standardwebhooks';
import type { Config } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createMetricsRegistry } from '../../src/metrics/registry';
import { createWebhookMetrics } from '../../src/metrics/webhook-metrics';
import type { Relay } from '../../src/outbox/relay';
import { startRelay } from '../../src/outbox/relay';
import type { WebhookPost } from '../../src/outbox/webhook-post';
import { testLogger } from '../harness/env';
import { request } from '../harness/http';
import type { Stack } from '../harness/stack';

/**
 * A relay on the stack's database with quick settings: a 50 ms poll and a 1 s, 1 s, 1 s retry schedule, unless the
 * test says otherwise. Every test file's relay delivers every endpoint's messages (they share the database), so they
 * all retry alike. `post` replaces how it sends (to watch what this relay sent).
 */
export function testRelay(orm: Orm, config: Config, overrides: Partial<Config> = {}, post?: WebhookPost): Relay {
  const metrics = createWebhookMetrics(createMetricsRegistry('worker', { defaults: false }));
  const quick: Partial<Config> = { WEBHOOK_RELAY_POLL_INTERVAL: 50, WEBHOOK_RETRY_SCHEDULE: [1000, 1000, 1000] };
  return startRelay({ orm, config: { ...config, ...quick, ...overrides }, logger: testLogger(), metrics, post });
}

export interface Subscription {
  endpointId: string;
  /** Where the endpoint delivers (the simulator subscriber's URL). */
  url: string;
  subscriberId: string;
  secret: string;
}

/**
 * A simulator subscriber and an endpoint subscribed to it (`events` as given), the subscriber told the secret.
 * `subscriber` sets what the subscriber answers (`answer`, `script`).
 */
export async function subscribe(stack: Stack, options: { events?: string[]; answer?: number; script?: number[] } = {}): Promise<Subscription> {
  const sub = await request(`${stack.simulatorUrl}/v1/subscribers`, { body: { answer: options.answer, script: options.script } });
  if (sub.status !== 201) throw new Error(`subscriber: ${sub.status} ${JSON.stringify(sub.body)}`);
  const endpoint = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: sub.body.url, events: options.events } });
  if (endpoint.status !== 201) throw new Error(`endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
  await request(`${stack.simulatorUrl}/v1/subscribers/${sub.body.id}`, { method: 'PATCH', body: { secret: endpoint.body.secret } });
  return { endpointId: endpoint.body.id, url: sub.body.url, subscriberId: sub.body.id, secret: endpoint.body.secret };
}

export interface Delivery {
  webhookId: string;
  webhookTimestamp: string;
  webhookSignature: string;
  body: string;
  type: string;
  orderId: string;
  verified: boolean;
  answeredWith: number;
}

/** What the subscriber received about `orderId` (all orders when omitted), oldest first. */
export async function deliveries(stack: Stack, subscriberId: string, orderId?: string): Promise<Delivery[]> {
  const res = await request(`${stack.simulatorUrl}/v1/subscribers/${subscriberId}/deliveries`);
  return (res.body.items as Delivery[]).filter((d) => orderId === undefined || d.orderId === orderId);
}

/** Polls until `done` holds for the subscriber's deliveries about the order; returns them. */
export async function waitForDeliveries(
  stack: Stack,
  subscriberId: string,
  orderId: string,
  done: (list: Delivery[]) => boolean,
  timeoutMs = 30_000,
): Promise<Delivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await deliveries(stack, subscriberId, orderId);
    if (done(list)) return list;
    if (Date.now() > deadline) throw new Error(`deliveries did not get there in ${timeoutMs} ms: ${JSON.stringify(list.map((d) => [d.type, d.answeredWith]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls the operators' message list until `done` holds for the endpoint's messages; returns them. */
export async function waitForMessages(stack: Stack, endpointId: string, done: (items: any[]) => boolean, timeoutMs = 30_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(`${stack.api}/admin/webhook-messages?endpointId=${endpointId}&limit=100`, { headers: stack.admin });
    if (res.status !== 200) throw new Error(`messages: ${res.status} ${JSON.stringify(res.body)}`);
    if (done(res.body.items)) return res.body.items;
    if (Date.now() > deadline) throw new Error(`messages did not get there in ${timeoutMs} ms: ${JSON.stringify(res.body.items)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Checks a delivery's signature with the `standardwebhooks` package, as a subscriber would; returns the payload. */
export function verifiedWithPackage(secret: string, delivery: Delivery): any {
  return new Webhook(secret).verify(delivery.body, {
    'webhook-id': delivery.webhookId,
    'webhook-timestamp': delivery.webhookTimestamp,
    'webhook-signature': delivery.webhookSignature,
  });
}

export const types = (list: Delivery[]) => list.map((d) => d.type);
