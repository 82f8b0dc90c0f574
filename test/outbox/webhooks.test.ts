import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/api/app';
import type { Relay } from '../../src/outbox/relay';
import { createWebhookPoster } from '../../src/outbox/webhook-post';
import { testLogger } from '../harness/env';
import type { RunningServer } from '../harness/http';
import { request, serve } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { deliveries, subscribe, testRelay, types, verifiedWithPackage, waitForDeliveries, waitForMessages } from './harness';

// Outbound webhooks end to end (docs/webhooks-out.md): the real API, worker, simulator (as the subscriber) and a
// relay on the test database, retrying on a 1 s schedule.
describe('outbound order webhooks', () => {
  let relay: Relay;
  const endpoints: string[] = [];
  // Declared before the stack's own hooks, so it runs while the stack is still up.
  afterAll(async () => {
    await relay?.stop();
    poster.close();
    // Endpoints left enabled would get a message for every order other test files place.
    for (const id of endpoints) await request(`${stack.api}/admin/webhook-endpoints/${id}`, { method: 'DELETE', headers: stack.admin });
  });
  const stack = useStack();
  // What this file's relay sent, by URL (the stack's own poster does the sending).
  const poster = createWebhookPoster(8);
  const sentTo: string[] = [];
  beforeAll(() => {
    relay = testRelay(stack.orm, stack.config, {}, (url, ...rest) => {
      sentTo.push(url);
      return poster.post(url, ...rest);
    });
  });
  const subscribed = async (options: Parameters<typeof subscribe>[1] = {}) => {
    const subscription = await subscribe(stack, options);
    endpoints.push(subscription.endpointId);
    return subscription;
  };

  it('a paid order: every status change in order, each signed so that the standardwebhooks package verifies it', async () => {
    const all = await subscribed();
    const paidOnly = await subscribed({ events: ['order.paid'] });
    const product = await stack.createProduct();
    const order = await acceptedOrder(stack, { product: product.id }, 'PAID');

    const got = await waitForDeliveries(stack, all.subscriberId, order.id, (list) => list.some((d) => d.type === 'order.paid'));
    expect(types(got)).toEqual(['order.pending', 'order.reserved', 'order.awaiting_payment', 'order.paid']);
    for (const delivery of got) {
      expect(delivery.verified).toBe(true);
      const payload = verifiedWithPackage(all.secret, delivery);
      expect(payload).toMatchObject({ type: delivery.type, data: { order: { id: order.id, status: delivery.type.slice(6).toUpperCase() } } });
      expect(delivery.webhookId).toMatch(/^msg_/);
    }
    // The paid event shows the order as GET /orders/{id} did then: its history up to the change.
    const paid = JSON.parse(got[3].body);
    expect(paid.data.order.history.map((h: any) => h.status)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID']);
    expect(paid.data.order).toMatchObject({ customerEmail: order.customerEmail, payment: { status: 'succeeded' } });
    expect(JSON.stringify(paid)).not.toContain('tok_');

    // The endpoint subscribed to order.paid alone got that one only (its message listed by the operators' route).
    const onlyPaid = await waitForDeliveries(stack, paidOnly.subscriberId, order.id, (list) => list.length > 0);
    expect(types(onlyPaid)).toEqual(['order.paid']);
    expect(verifiedWithPackage(paidOnly.secret, onlyPaid[0])).toMatchObject({ type: 'order.paid' });
    // Every other order's events went past it too: had the endpoint taken anything but order.paid, it would show.
    expect(new Set(types(await deliveries(stack, paidOnly.subscriberId)))).toEqual(new Set(['order.paid']));
  });

  it("a cancelled order's events end with order.cancelled", async () => {
    const all = await subscribed();
    const product = await stack.createProduct();
    const order = await acceptedOrder(stack, { product: product.id, token: 'tok_no_webhook' });
    const cancelled = await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.body.status).toBe('CANCELLED');
    const got = await waitForDeliveries(stack, all.subscriberId, order.id, (list) => list.some((d) => d.type === 'order.cancelled'));
    expect(types(got)).toEqual(['order.pending', 'order.reserved', 'order.awaiting_payment', 'order.cancelled']);
    expect(got.every((d) => d.verified)).toBe(true);
  });

  it('500, 500, then 200: three attempts with the same webhook-id, the message delivered with 3 attempts', async () => {
    const flaky = await subscribed({ events: ['order.paid'], script: [500, 500] });
    const product = await stack.createProduct();
    const order = await acceptedOrder(stack, { product: product.id }, 'PAID');
    const got = await waitForDeliveries(stack, flaky.subscriberId, order.id, (list) => list.some((d) => d.answeredWith === 200));
    expect(got.map((d) => d.answeredWith)).toEqual([500, 500, 200]);
    expect(new Set(got.map((d) => d.webhookId)).size).toBe(1);
    const message = (await waitForMessages(stack, flaky.endpointId, (items) => items.some((m) => m.orderId === order.id && m.status === 'delivered'))).find(
      (m) => m.orderId === order.id,
    );
    expect(message).toMatchObject({ orderId: order.id, type: 'order.paid', status: 'delivered' });
    expect(message.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 200]);
    expect(message.attempts.every((a: any) => typeof a.at === 'string' && a.durationMs >= 0)).toBe(true);
    expect(`msg_${message.eventId}`).toBe(got[0].webhookId);
  });

  it('410: the endpoint is disabled and nothing more is sent to it', async () => {
    const gone = await subscribed({ answer: 410 });
    const control = await subscribed();
    const product = await stack.createProduct();
    const order = await acceptedOrder(stack, { product: product.id }, 'PAID');
    // The control endpoint got everything: the relay went past the gone endpoint's later events.
    await waitForDeliveries(stack, control.subscriberId, order.id, (list) => list.some((d) => d.type === 'order.paid'));
    const endpoint = await request(`${stack.api}/admin/webhook-endpoints/${gone.endpointId}`, { headers: stack.admin });
    expect(endpoint.body).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    expect(endpoint.body.secret).toBeUndefined();
    // This relay sent it one request at most, however many orders (other test files' too) were due for it in the same
    // round: the endpoint's first message goes out alone, and after its 410 the others are held, never attempted.
    // Other test files' relays deliver to it too, each one request of its own; each delivery is a 410 and fails its
    // message (test/outbox/relay-gone.unit.test.ts checks one relay's round exactly).
    expect(sentTo.filter((url) => url === gone.url).length).toBeLessThanOrEqual(1);
    const got = await deliveries(stack, gone.subscriberId);
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.every((d) => d.answeredWith === 410)).toBe(true);
    const messages = await waitForMessages(stack, gone.endpointId, () => true);
    expect(messages.filter((m) => m.status === 'failed')).toHaveLength(got.length);
    expect(messages.filter((m) => m.status === 'pending' && m.attempts.length > 0)).toEqual([]); // the offenders, if any
    // Once disabled, nothing more: another order's events reach the control endpoint and none reach this one.
    const next = await acceptedOrder(stack, { product: product.id }, 'PAID');
    await waitForDeliveries(stack, control.subscriberId, next.id, (list) => list.some((d) => d.type === 'order.paid'));
    expect(await deliveries(stack, gone.subscriberId)).toHaveLength(got.length);
    expect(sentTo.filter((url) => url === gone.url).length).toBeLessThanOrEqual(1);
  });

  it('never a 2xx: failed after the schedule; a retry once the receiver is back delivers it', async () => {
    const down = await subscribed({ events: ['order.paid'], answer: 503 });
    const product = await stack.createProduct();
    const order = await acceptedOrder(stack, { product: product.id }, 'PAID');
    const ours = (m: any) => m.orderId === order.id;
    const failed = (await waitForMessages(stack, down.endpointId, (items) => items.some((m) => ours(m) && m.status === 'failed'))).find(ours);
    expect(failed.attempts.map((a: any) => a.statusCode)).toEqual([503, 503, 503, 503]);
    const listed = await request(`${stack.api}/admin/webhook-messages?status=failed&endpointId=${down.endpointId}`, { headers: stack.admin });
    expect(listed.body.items.map((m: any) => m.id)).toContain(failed.id);
    expect(listed.body.items.every((m: any) => m.status === 'failed')).toBe(true);

    await request(`${stack.simulatorUrl}/v1/subscribers/${down.subscriberId}`, { method: 'PATCH', body: { answer: 200 } });
    const retried = await request(`${stack.api}/admin/webhook-messages/${failed.id}/retry`, { method: 'POST', headers: stack.admin });
    expect(retried.status).toBe(202);
    const delivered = (await waitForMessages(stack, down.endpointId, (items) => items.some((m) => ours(m) && m.status === 'delivered'))).find(ours);
    expect(delivered.attempts).toHaveLength(5);
    const got = await deliveries(stack, down.subscriberId, order.id);
    expect(got.map((d) => d.answeredWith)).toEqual([503, 503, 503, 503, 200]);
    expect(new Set(got.map((d) => d.webhookId)).size).toBe(1);
    expect((await request(`${stack.api}/admin/webhook-messages/${randomUUID()}/retry`, { method: 'POST', headers: stack.admin })).status).toBe(404);
  });

  it('rotate-secret: both secrets sign during the overlap; replay sends the events since a time again', async () => {
    const sub = await subscribed({ events: ['order.paid'] });
    const product = await stack.createProduct();
    const first = await acceptedOrder(stack, { product: product.id }, 'PAID');
    await waitForDeliveries(stack, sub.subscriberId, first.id, (list) => list.length === 1);

    const rotated = await request(`${stack.api}/admin/webhook-endpoints/${sub.endpointId}/rotate-secret`, { method: 'POST', headers: stack.admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    const second = await acceptedOrder(stack, { product: product.id }, 'PAID');
    const [delivery] = await waitForDeliveries(stack, sub.subscriberId, second.id, (list) => list.length === 1);
    expect(delivery.webhookSignature.split(' ')).toHaveLength(2);
    expect(verifiedWithPackage(sub.secret, delivery)).toMatchObject({ type: 'order.paid' });
    expect(verifiedWithPackage(rotated.body.secret, delivery)).toMatchObject({ type: 'order.paid' });

    const replay = await request(`${stack.api}/admin/webhook-endpoints/${sub.endpointId}/replay`, {
      headers: stack.admin,
      body: { since: new Date(new Date(first.createdAt).getTime() - 1000).toISOString() },
    });
    expect(replay.status).toBe(202);
    expect(replay.body.messages).toBeGreaterThanOrEqual(2);
    const again = await waitForDeliveries(stack, sub.subscriberId, first.id, (list) => list.length === 2);
    expect(again[1].webhookId).toBe(again[0].webhookId);
  });

  it('the endpoint secret is stored sealed, never in clear', async () => {
    const sub = await subscribed();
    const [row] = await stack.orm.em.fork().execute(`SELECT secret_sealed FROM webhook_endpoints WHERE id = ?`, [sub.endpointId]);
    expect(row.secret_sealed).not.toContain(sub.secret.slice(6));
    expect(row.secret_sealed).toMatch(/^dev:/);
    const listed = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin });
    expect(JSON.stringify(listed.body)).not.toContain(sub.secret);
  });

  it('PATCH and DELETE an endpoint; bad input is 400, unknown ids 404', async () => {
    const sub = await subscribed();
    const patched = await request(`${stack.api}/admin/webhook-endpoints/${sub.endpointId}`, {
      method: 'PATCH',
      headers: stack.admin,
      body: { events: ['order.cancelled'], status: 'disabled', description: 'warehouse' },
    });
    expect(patched.body).toMatchObject({ events: ['order.cancelled'], status: 'disabled', disabledReason: 'operator', description: 'warehouse' });
    const bad = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: 'http://x.example', events: ['order.shipped_to_mars'] } });
    expect(bad.status).toBe(400);
    const ftp = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: 'ftp://x.example/' } });
    expect(ftp.status).toBe(422);
    expect(ftp.body.error).toBe('invalid_webhook_url');
    const anonymous = await request(`${stack.api}/admin/webhook-endpoints`);
    expect(anonymous.status).toBe(401);
    const deleted = await request(`${stack.api}/admin/webhook-endpoints/${sub.endpointId}`, { method: 'DELETE', headers: stack.admin });
    expect(deleted.status).toBe(204);
    expect((await request(`${stack.api}/admin/webhook-endpoints/${sub.endpointId}`, { headers: stack.admin })).status).toBe(404);
  });
});

describe('webhook endpoint URLs in production', () => {
  const stack = useStack();
  let production: RunningServer;
  beforeAll(async () => {
    const config = { ...stack.config, NODE_ENV: 'production' as const };
    production = await serve(createApp({ config, orm: stack.orm, temporal: stack.temporal, logger: testLogger() }));
  });
  afterAll(async () => {
    await production?.close();
  });
  const create = (url: string) => request(`${production.url}/admin/webhook-endpoints`, { headers: stack.admin, body: { url } });

  it.each(['http://127.0.0.1:4010/hook', 'https://10.0.0.5/', 'https://localhost/hook', 'https://[::1]/', 'https://169.254.169.254/latest', 'http://shop.example/hook'])(
    '%s → 422 invalid_webhook_url',
    async (url) => {
      const res = await create(url);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'invalid_webhook_url' });
    },
  );

  it('WEBHOOK_ALLOW_PRIVATE=true accepts a private https address', async () => {
    const config = { ...stack.config, NODE_ENV: 'production' as const, WEBHOOK_ALLOW_PRIVATE: true };
    const lenient = await serve(createApp({ config, orm: stack.orm, temporal: stack.temporal, logger: testLogger() }));
    try {
      const res = await request(`${lenient.url}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: 'https://10.0.0.5/' } });
      expect(res.status).toBe(201);
      await request(`${lenient.url}/admin/webhook-endpoints/${res.body.id}`, { method: 'DELETE', headers: stack.admin });
    } finally {
      await lenient.close();
    }
  });
});
