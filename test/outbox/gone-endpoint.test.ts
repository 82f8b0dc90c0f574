import type { Relay } from '../../src/outbox/relay';
import { createWebhookPoster } from '../../src/outbox/webhook-post';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { deliveries, subscribe, testRelay, waitForMessages } from './harness';

// An endpoint that answers 410 Gone while several of its messages are due in one relay round: the relay sends it one
// request; the round's other messages to it are held, never attempted, and given back at once (their lease released),
// so an operator who enables the endpoint again has them delivered straight away, not once a lease ran out.
describe('a gone endpoint with several messages due', () => {
  let relay: Relay | undefined;
  let endpointId: string | undefined;
  const poster = createWebhookPoster(8);
  afterAll(async () => {
    await relay?.stop();
    poster.close();
    if (endpointId) await request(`${stack.api}/admin/webhook-endpoints/${endpointId}`, { method: 'DELETE', headers: stack.admin });
  });
  const stack = useStack();

  it('gets one request from the relay; the rest go out once it is enabled again', async () => {
    const gone = await subscribe(stack, { answer: 410 });
    endpointId = gone.endpointId;
    const product = await stack.createProduct({ stock: 10 });
    // Five orders' events wait for the endpoint before this file's relay starts: its first round has them all due.
    const orders = await Promise.all([1, 2, 3, 4, 5].map(() => acceptedOrder(stack, { product: product.id }, 'PAID')));
    const ours = new Set(orders.map((o) => o.id));
    const sentTo: string[] = [];
    // A lease far longer than the test: a held message that kept its lease would not go out again within it.
    relay = testRelay(stack.orm, stack.config, { WEBHOOK_TIMEOUT: 60_000 }, (url, ...rest) => {
      sentTo.push(url);
      return poster.post(url, ...rest);
    });

    const disabled = async () => (await request(`${stack.api}/admin/webhook-endpoints/${gone.endpointId}`, { headers: stack.admin })).body;
    for (let i = 0; i < 100 && (await disabled()).status !== 'disabled'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await disabled()).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    // One request from this relay at most: other test files' relays deliver to every endpoint too, and one of them
    // may have been first (each sends it one request of its own).
    expect(sentTo.filter((url) => url === gone.url).length).toBeLessThanOrEqual(1);
    // Once every relay's round that had some of its messages is over (none still leased), whatever waits was never
    // attempted. (Events after the disable made no message: a disabled endpoint gets none, replay is for those.)
    const leased = async () => {
      const [row] = await stack.orm.em
        .fork()
        .execute(`SELECT count(*)::int AS n FROM webhook_messages WHERE endpoint_id = ? AND status = 'pending' AND lease_until > now()`, [gone.endpointId]);
      return row.n as number;
    };
    for (let i = 0; i < 400 && (await leased()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const messages = (await waitForMessages(stack, gone.endpointId, () => true)).filter((m) => ours.has(m.orderId));
    // The 410 that disabled it may have been another file's order's; any of ours that failed was sent once.
    const failed = messages.filter((m) => m.status === 'failed');
    // (As lists of the offenders, so that a failure shows what the attempts were.)
    expect(failed.filter((m) => !(m.attempts.length === 1 && m.attempts[0].statusCode === 410))).toEqual([]);
    const waiting = messages.filter((m) => m.status === 'pending');
    expect(waiting.filter((m) => m.attempts.length > 0)).toEqual([]);

    // The receiver is back; the operator enables the endpoint: what waits goes out, each message once, with a 2xx.
    await request(`${stack.simulatorUrl}/v1/subscribers/${gone.subscriberId}`, { method: 'PATCH', body: { answer: 200 } });
    const enabled = await request(`${stack.api}/admin/webhook-endpoints/${gone.endpointId}`, { method: 'PATCH', headers: stack.admin, body: { status: 'enabled' } });
    expect(enabled.status).toBe(200);
    const delivered = (items: any[]) => waiting.every((w) => items.find((m) => m.id === w.id)?.status === 'delivered');
    const after = await waitForMessages(stack, gone.endpointId, delivered, 40_000);
    for (const w of waiting) expect(after.find((m) => m.id === w.id).attempts.map((a: any) => a.statusCode)).toEqual([200]);
    for (const order of orders) {
      const got = await deliveries(stack, gone.subscriberId, order.id);
      // One delivery per event that had a message: a 410 before the disable, or a 200 after the enable.
      expect(got.map((d) => d.webhookId).sort()).toEqual(messages.filter((m) => m.orderId === order.id).map((m) => `msg_${m.eventId}`).sort());
    }
  }, 120_000);
});
