import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Issue #24, per-customer purchase limits, end to end: the limit is enforced by the reservation (inside the saga),
// refused like a stock shortage, and given back by a cancel.
describe('per-customer purchase limits', () => {
  const stack = useStack({ ORDER_RATE_LIMIT_PER_MINUTE: '5', MAX_OPEN_ORDERS_PER_CUSTOMER: '5', CANCEL_WINDOW: '60s' });

  async function limitedProduct(maxPerCustomer: number | null, stock = 20): Promise<{ id: string; maxPerCustomer: number | null }> {
    const res = await request(`${stack.api}/admin/products`, {
      headers: stack.admin,
      body: { sku: `lim-${randomUUID()}`, name: 'Limited', priceCents: 500, currency: 'EUR', stock, maxPerCustomer },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  it('is set by the admin, shown in the product JSON, changed by PATCH and validated', async () => {
    const product = await limitedProduct(2);
    expect(product.maxPerCustomer).toBe(2);
    expect((await request(`${stack.api}/products/${product.id}`)).body.maxPerCustomer).toBe(2);
    const patched = await request(`${stack.api}/admin/products/${product.id}`, { method: 'PATCH', headers: stack.admin, body: { maxPerCustomer: null } });
    expect(patched.body.maxPerCustomer).toBeNull();
    for (const bad of [0, -1, 1.5, '3']) {
      const res = await request(`${stack.api}/admin/products/${product.id}`, { method: 'PATCH', headers: stack.admin, body: { maxPerCustomer: bad } });
      expect({ bad, status: res.status, error: res.body.error }).toEqual({ bad, status: 400, error: 'validation_failed' });
    }
    // Left out when creating: no limit.
    const plain = await stack.createProduct();
    expect((await stack.product(plain.id)) as unknown).toMatchObject({ maxPerCustomer: null });
  });

  it('4 concurrent orders of one unit by one customer with maxPerCustomer 1: one 201, three 409, one unit held; a cancel gives it back', async () => {
    const product = await limitedProduct(1);
    const customer = `cust-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => placeOrder(stack, { product: product.id, customer, key: `limit-${i}-${randomUUID()}` })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body).toMatchObject({
        error: 'purchase_limit_exceeded',
        details: [{ productId: product.id, limit: 1, held: 1, requested: 1 }],
      });
    }
    expect(await stack.product(product.id)).toMatchObject({ reserved: 1 });

    // Another customer is not limited by the first one's order.
    const other = await placeOrder(stack, { product: product.id });
    expect(other.status).toBe(201);

    const accepted = answers.find((a) => a.status === 201)!;
    await stack.waitForOrder(accepted.body.id, (o) => o.status === 'PAID');
    const cancel = await request(`${stack.api}/orders/${accepted.body.id}/cancel`, { method: 'POST', headers: await stack.as(customer), body: {} });
    expect(cancel.body.status).toBe('REFUNDED');
    const again = await placeOrder(stack, { product: product.id, customer });
    expect(again.status).toBe(201);
  });

  it('the refused order is kept REJECTED with the reason, and a replay of its key answers the same', async () => {
    const product = await limitedProduct(1);
    const customer = `cust-${randomUUID()}`;
    expect((await placeOrder(stack, { product: product.id, customer })).status).toBe(201);
    const key = `over-${randomUUID()}`;
    const refused = await placeOrder(stack, { product: product.id, customer, key });
    expect(refused.status).toBe(409);
    const order = await stack.waitForOrder(refused.headers.get('location')!.split('/').pop()!, (o) => o.status === 'REJECTED');
    expect(order.failureReason).toBe('purchase_limit_exceeded');
    const replay = await placeOrder(stack, { product: product.id, customer, key });
    expect(replay.status).toBe(409);
    expect(replay.body).toEqual(refused.body);
  });
});
