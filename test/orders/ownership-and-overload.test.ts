import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Orders paid with tok_no_webhook: the payment never reports back, so they stay open.

describe('customers see and cancel only their own orders; limits answer 429', () => {
  const stack = useStack({ ORDER_RATE_LIMIT_PER_MINUTE: '2', MAX_OPEN_ORDERS_PER_CUSTOMER: '100' });

  it("another customer's order is 404 on read and cancel; the owner and support staff see it", async () => {
    const product = await stack.createProduct({ stock: 5 });
    const [a, b] = [`cust-${randomUUID()}`, `cust-${randomUUID()}`];
    const placed = await placeOrder(stack, { customer: a, product: product.id, token: 'tok_no_webhook' });
    expect(placed.status).toBe(201);
    const url = `${stack.api}/orders/${placed.body.id}`;
    expect(await request(url, { headers: await stack.as(b) })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await request(`${url}/cancel`, { headers: await stack.as(b), body: {} })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await request(url, { headers: await stack.as(a) })).body.status).toBe('AWAITING_PAYMENT');
    // Support staff list any customer's orders; a customer lists only their own.
    const listed = await request(`${stack.api}/orders?customerId=${encodeURIComponent(a)}`, { headers: stack.admin });
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([placed.body.id]);
    expect((await request(`${stack.api}/orders`, { headers: await stack.as(a) })).body.items.map((o: { id: string }) => o.id)).toEqual([placed.body.id]);
    expect((await request(`${stack.api}/orders`, { headers: await stack.as(b) })).body.items).toEqual([]);
    expect((await request(`${stack.api}/orders?customerId=${encodeURIComponent(a)}`, { headers: await stack.as(b) })).status).toBe(403);
    expect((await request(`${url}/cancel`, { headers: stack.admin, body: {} })).body.status).toBe('CANCELLED');
  });

  it("a body customerId other than the token's subject is 403 forbidden, and nothing is reserved", async () => {
    const product = await stack.createProduct({ stock: 5 });
    const res = await placeOrder(stack, { customer: `cust-${randomUUID()}`, product: product.id, token: 'tok_no_webhook', headers: await stack.as(`cust-${randomUUID()}`) });
    expect(res).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
  });

  it('the third new order in a minute is 429 rate_limited with Retry-After and RateLimit headers; a replay is not counted', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const customer = `cust-${randomUUID()}`;
    const place = (key: string) => placeOrder(stack, { customer, product: product.id, token: 'tok_no_webhook', key });
    const first = await place('k1');
    expect(first.status).toBe(201);
    expect((await place('k1')).status).toBe(201); // the same order again
    expect((await place('k2')).status).toBe(201);
    const refused = await place('k3');
    expect(refused).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toEqual(expect.stringContaining('2'));
    expect(refused.headers.get('ratelimit')).toEqual(expect.any(String));
    expect(await stack.product(product.id)).toMatchObject({ reserved: 2 });
  });

  it("another customer's orders naming her email never rate-limit Alice; orders refused before reserving count for nothing", async () => {
    const product = await stack.createProduct({ stock: 10 });
    const alice = `alice-${randomUUID()}`;
    const aliceEmail = `${alice}@example.com`;
    const mallory = `cust-${randomUUID()}`; // her token has no email claim: the body's email is only where mail goes
    const byMallory = (productId: string) => placeOrder(stack, { customer: mallory, email: aliceEmail, product: productId, token: 'tok_no_webhook' });
    for (let i = 0; i < 3; i++) expect(await byMallory(randomUUID())).toMatchObject({ status: 422, body: { error: 'unknown_product' } });
    const placed = [await byMallory(product.id), await byMallory(product.id)];
    expect(placed.map((r) => r.status)).toEqual([201, 201]);
    expect(placed[1].headers.get('ratelimit-policy')).not.toContain('email');
    expect(await byMallory(product.id)).toMatchObject({ status: 429, body: { error: 'rate_limited' } }); // her own limit holds
    // Six orders named Alice's email: her own order, with her verified email, is placed.
    const own = await placeOrder(stack, { customer: alice, email: aliceEmail, product: product.id, token: 'tok_no_webhook', headers: await stack.as(alice, aliceEmail) });
    expect(own.status).toBe(201);
    expect(own.body.customerId).toBe(alice);
  });
});

describe('bounded waiting: 202 past PLACEMENT_DEADLINE, 503 overloaded over MAX_INFLIGHT_PLACEMENTS', () => {
  const stack = useStack({ PLACEMENT_DEADLINE: '1ms', MAX_INFLIGHT_PLACEMENTS: '1' });

  it('answers 202 Accepted with Location when the reservation has not answered in time; the saga goes on', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const customer = `cust-${randomUUID()}`;
    const res = await placeOrder(stack, { customer, product: product.id, token: 'tok_no_webhook' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/orders/${res.body.id}`);
    const settled = await stack.waitForOrder(res.body.id, (o) => o.status === 'AWAITING_PAYMENT');
    expect(settled.customerId).toBe(customer);
  });

  it('sheds placements beyond the in-flight cap at once with 503 overloaded and Retry-After; nothing reserved for them', async () => {
    const product = await stack.createProduct({ stock: 50 });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => placeOrder(stack, { product: product.id, token: 'tok_no_webhook' })),
    );
    const shed = answers.filter((r) => r.status === 503);
    const accepted = answers.filter((r) => r.status === 201 || r.status === 202);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed.length + accepted.length).toBe(answers.length);
    for (const r of shed) {
      expect(r.body.error).toBe('overloaded');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    for (const r of accepted) await stack.waitForOrder(r.body.id, (o) => o.status === 'AWAITING_PAYMENT');
    expect(await stack.product(product.id)).toMatchObject({ reserved: accepted.length });
  });
});
