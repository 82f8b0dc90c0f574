import type { Relay } from '../../src/outbox/relay';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { deliveries, subscribe, testRelay, waitForDeliveries } from './harness';

// Several relays on one database (one per worker): every committed status change of every order arrives, in order
// per order, none that did not happen. (The chaos run does the same with workers killed: chaos/README.md.)
describe('several relays', () => {
  const relays: Relay[] = [];
  let endpointId: string | undefined;
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    if (endpointId) await request(`${stack.api}/admin/webhook-endpoints/${endpointId}`, { method: 'DELETE', headers: stack.admin });
  });
  const stack = useStack();

  it('deliver each order’s committed changes at least once, in order, none invented', async () => {
    const sub = await subscribe(stack);
    endpointId = sub.endpointId;
    for (let i = 0; i < 3; i++) relays.push(testRelay(stack.orm, stack.config, { WEBHOOK_RELAY_CONCURRENCY: 2 }));
    const product = await stack.createProduct({ stock: 100 });
    const orders = await Promise.all(
      Array.from({ length: 12 }, (_, i) => acceptedOrder(stack, { product: product.id, token: i % 3 === 0 ? 'tok_declined' : 'tok_visa' })),
    );
    for (const order of orders) {
      const settled = await stack.waitForOrder(order.id, (o) => ['PAID', 'CANCELLED'].includes(o.status));
      // The changes the database committed (a history row that keeps the status is no change).
      const changes = settled.history.map((h: any) => h.status).filter((s: string, i: number, all: string[]) => i === 0 || all[i - 1] !== s);
      const expected = changes.map((s: string) => `order.${s.toLowerCase()}`);
      const got = await waitForDeliveries(stack, sub.subscriberId, order.id, (list) => new Set(list.map((d) => d.webhookId)).size >= expected.length);
      // At least once: duplicates (same webhook-id) dropped, the first arrivals are the changes, in order.
      const firsts = got.filter((d, i) => got.findIndex((e) => e.webhookId === d.webhookId) === i);
      expect(firsts.map((d) => d.type)).toEqual(expected);
      expect(got.every((d) => d.verified)).toBe(true);
    }
    // None invented: every delivery about these orders is a status the order really took (read again now, so a change
    // made since it settled counts too). Deliveries about other files' orders are theirs to check: the endpoint gets
    // every event of the shared database, refund.created and shipment events included.
    const ours = new Set(orders.map((o) => o.id));
    const mine = (await deliveries(stack, sub.subscriberId)).filter((d) => ours.has(d.orderId));
    const taken = new Map<string, string[]>();
    for (const id of new Set(mine.map((d) => d.orderId))) {
      const now = await stack.waitForOrder(id, () => true);
      taken.set(id, now.history.map((h: any) => `order.${h.status.toLowerCase()}`));
    }
    expect(mine.filter((d) => !taken.get(d.orderId)!.includes(d.type))).toEqual([]);
  });
});
