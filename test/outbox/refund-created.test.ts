import { randomUUID } from 'node:crypto';
import type { Relay } from '../../src/outbox/relay';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { subscribe, testRelay, types, verifiedWithPackage, waitForDeliveries } from './harness';

// refund.created (docs/webhooks-out.md): an operator's refund, recorded on a COMPLETED order, goes out through the
// same outbox as the order's status changes.
describe('the refund.created webhook', () => {
  let relay: Relay;
  const endpoints: string[] = [];
  afterAll(async () => {
    await relay?.stop();
    for (const id of endpoints) await request(`${stack.api}/admin/webhook-endpoints/${id}`, { method: 'DELETE', headers: stack.admin });
  });
  const stack = useStack({ CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });
  beforeAll(() => {
    relay = testRelay(stack.orm, stack.config, { WEBHOOK_RETRY_SCHEDULE: [1000, 1000, 1000] });
  });

  it('reaches an endpoint subscribed to it, signed, with the order and the refund as the API shows them; after the order’s own events', async () => {
    const refundsOnly = await subscribe(stack, { events: ['refund.created'] });
    const all = await subscribe(stack);
    endpoints.push(refundsOnly.endpointId, all.endpointId);
    const product = await stack.createProduct({ stock: 5, priceCents: 700 });
    const order = await acceptedOrder(stack, { by: 'admin', items: [{ productId: product.id, quantity: 2 }] }, 'COMPLETED');
    const key = randomUUID();
    const refundOnce = () =>
      request(`${stack.api}/admin/orders/${order.id}/refunds`, { headers: { ...stack.admin, 'idempotency-key': key }, body: { amountCents: 300, reason: 'goodwill' } });
    const refund = await refundOnce();
    expect(refund.status).toBe(201);

    const [delivery, ...more] = await waitForDeliveries(stack, refundsOnly.subscriberId, order.id, (list) => list.length > 0);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ type: 'refund.created', verified: true, answeredWith: 200 });
    const event = verifiedWithPackage(refundsOnly.secret, delivery);
    expect(event).toMatchObject({
      type: 'refund.created',
      timestamp: expect.any(String),
      data: {
        order: { id: order.id, status: 'COMPLETED', payment: { refunds: [{ id: refund.body.id, status: 'pending' }] } },
        refund: { id: refund.body.id, amountCents: 300, reason: 'goodwill', status: 'pending', restock: false },
      },
    });
    // Its idempotency key and request fingerprint stay inside, as in the API's answers.
    expect(Object.keys(event.data.refund).sort()).toEqual(Object.keys(refund.body).sort());

    const got = await waitForDeliveries(stack, all.subscriberId, order.id, (list) => list.some((d) => d.type === 'refund.created'));
    expect(types(got)).toEqual(['order.pending', 'order.reserved', 'order.awaiting_payment', 'order.paid', 'order.completed', 'refund.created']);

    // The same request again is the same refund: no second event.
    expect((await refundOnce()).headers.get('idempotent-replayed')).toBe('true');
    const endpointMessages = await request(`${stack.api}/admin/webhook-messages?endpointId=${refundsOnly.endpointId}`, { headers: stack.admin });
    expect(endpointMessages.body.items.map((m: { type: string }) => m.type)).toEqual(['refund.created']);
  });

  it('is a type endpoints may subscribe to; an unknown type is still refused', async () => {
    const ok = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: 'http://127.0.0.1:9/hook', events: ['refund.created', 'order.paid'] } });
    expect(ok.status).toBe(201);
    endpoints.push(ok.body.id);
    expect(ok.body.events).toEqual(['refund.created', 'order.paid']);
    const unknown = await request(`${stack.api}/admin/webhook-endpoints`, { headers: stack.admin, body: { url: 'http://127.0.0.1:9/hook', events: ['refund.settled'] } });
    expect(unknown.status).toBe(400);
  });
});
