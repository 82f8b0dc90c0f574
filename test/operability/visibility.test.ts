import { randomUUID } from 'node:crypto';
import { productJsonSchema } from '../../src/catalog/response-schemas';
import { orderJsonSchema } from '../../src/orders/response-schemas';
import { OrderIdKey, OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { metricValue } from './metrics-text';

// What the Temporal Web UI shows comes from the visibility API: an order placed over HTTP must be findable there by
// its search attributes, the way docs/observability.md ("Finding sagas") tells operators to look for it.
describe('finding an order saga through Temporal visibility', () => {
  // A long cancellation window keeps the saga PAID (and open) while we look for it.
  const stack = useStack({ CANCEL_WINDOW: '5m', SIM_WEBHOOK_DELAY_MS: '50' });

  async function listUntilFound(query: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [];
      for await (const execution of stack.temporal.workflow.list({ query })) found.push(execution);
      // Visibility is eventually consistent: a status upserted a moment ago may not be searchable yet.
      if (found.length > 0 || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('lists the order with OrderId = "<id>" AND OrderStatus = "PAID"', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 1999 });
    expect(productJsonSchema.safeParse(await stack.product(product.id)).error).toBeUndefined();

    const res = await placeOrder(stack, { by: 'admin', product: product.id, quantity: 2, key: `vis-${randomUUID()}`, headers: { 'x-request-id': 'visibility-test' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('visibility-test');
    // The documented response schema describes what the API really sends.
    expect(orderJsonSchema.safeParse(res.body).error).toBeUndefined();
    const orderId: string = res.body.id;

    const paid = await stack.waitForOrder(orderId, (o) => o.status === 'PAID');
    expect(orderJsonSchema.safeParse(paid).error).toBeUndefined();

    const found = await listUntilFound(`OrderId = "${orderId}" AND OrderStatus = "PAID"`);
    expect(found.map((e) => e.workflowId)).toEqual([`order-${orderId}`]);
    expect(found[0].type).toBe('orderWorkflow');
    expect(found[0].typedSearchAttributes.get(OrderIdKey)).toBe(orderId);
    expect(found[0].typedSearchAttributes.get(OrderStatusKey)).toBe('PAID');
    expect(found[0].typedSearchAttributes.get(OrderTotalCentsKey)).toBe(3998);
    expect(paid.temporalUiUrl).toMatch(new RegExp(`/namespaces/default/workflows/order-${orderId}$`));

    // And nothing is found under a status the order does not have.
    const none = [];
    for await (const execution of stack.temporal.workflow.list({
      query: `OrderId = "${orderId}" AND OrderStatus = "NEEDS_ATTENTION"`,
    }))
      none.push(execution);
    expect(none).toEqual([]);
  });

  it("the API's /metrics counted the placement and the provider's webhook", async () => {
    const text = (await request(`${stack.api}/metrics`)).body as string;
    expect(metricValue(text, 'orders_placed_total', { result: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'webhooks_received_total', { type: 'payment.succeeded', result: 'signalled' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/orders', status: '201' }),
    ).toBeGreaterThanOrEqual(1);
  });
});
