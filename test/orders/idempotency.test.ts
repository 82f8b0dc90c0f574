import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

describe('POST /orders idempotency (Idempotency-Key → workflow id)', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '5s', CANCEL_WINDOW: '500ms', SIM_WEBHOOK_DELAY_MS: '20' });

  // Placed by this customer with their token. The same input is the same request body, which a key's replay is
  // compared with.
  const customer = 'cust-idem';
  /** Units this product has given to orders, reserved or already sold (the saga may have committed by now). */
  const taken = async (productId: string, initialStock: number) => {
    const p = await stack.product(productId);
    return initialStock - p.onHand + p.reserved;
  };
  const charges = async (orderId: string) => (await request(`${stack.simulatorUrl}/v1/payments?orderId=${orderId}`)).body.items;

  it('same key, same body: the same order, Idempotent-Replayed, nothing reserved or charged twice', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const key = `key-${randomUUID()}`;
    const first = await placeOrder(stack, { customer, product: product.id, quantity: 2, key });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await placeOrder(stack, { customer, product: product.id, quantity: 2, key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await taken(product.id, 10)).toBe(2);

    // …and after the saga has closed, the order row answers.
    await stack.waitForOrder(first.body.id, (o) => o.status === 'COMPLETED');
    const late = await placeOrder(stack, { customer, product: product.id, quantity: 2, key });
    expect(late.status).toBe(201);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(late.body).toMatchObject({ id: first.body.id, status: 'COMPLETED' });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await charges(first.body.id)).toHaveLength(1);
  });

  it('the same key with a different body is 409 idempotency_key_reused, before and after the saga closes', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const key = `key-${randomUUID()}`;
    const first = await placeOrder(stack, { customer, product: product.id, quantity: 1, key });
    expect(first.status).toBe(201);
    const reused = await placeOrder(stack, { customer, product: product.id, quantity: 3, key });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error: 'idempotency_key_reused' });
    await stack.waitForOrder(first.body.id, (o) => o.status === 'COMPLETED');
    expect((await placeOrder(stack, { customer, product: product.id, quantity: 3, key })).status).toBe(409);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 9, reserved: 0 });
  });

  it('the same key from another customer is another order', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const key = `key-${randomUUID()}`;
    const a = await placeOrder(stack, { customer: 'cust-a', product: product.id, quantity: 1, key });
    const b = await placeOrder(stack, { customer: 'cust-b', product: product.id, quantity: 1, key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('20 concurrent requests with one key: one workflow, one order, every answer names it', async () => {
    const product = await stack.createProduct({ stock: 50 });
    const key = `key-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => placeOrder(stack, { customer, product: product.id, quantity: 2, key })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(await taken(product.id, 50)).toBe(2);
    const [orderId] = [...ids];
    expect(await charges(orderId)).toHaveLength(1);
    const listed = await request(`${stack.api}/orders?customerId=${customer}&limit=100`, { headers: await stack.as(customer) });
    expect(listed.body.items.filter((o: any) => o.id === orderId)).toHaveLength(1);
  });

  it('a rejected placement replays as the same 409 with the same details', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const key = `key-${randomUUID()}`;
    const first = await placeOrder(stack, { customer, product: product.id, quantity: 5, key });
    expect(first.status).toBe(409);
    const again = await placeOrder(stack, { customer, product: product.id, quantity: 5, key });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('without a key every request is a new order', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const a = await placeOrder(stack, { customer, product: product.id });
    const b = await placeOrder(stack, { customer, product: product.id });
    expect(a.body.id).not.toBe(b.body.id);
    expect(await taken(product.id, 10)).toBe(2);
  });

  it('a malformed Idempotency-Key is 400', async () => {
    const product = await stack.createProduct({ stock: 1 });
    for (const key of ['has space', 'x'.repeat(256), 'ünïcode']) {
      const res = await placeOrder(stack, { customer, product: product.id, key });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    }
    expect(await stack.product(product.id)).toMatchObject({ reserved: 0 });
  });
});
