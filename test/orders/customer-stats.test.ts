import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { acceptedOrder, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Issue #24, customer statistics: GET /customers/{customerId}/stats, kept by a trigger on `orders` in the same
// transaction as every status write.
describe('customer statistics', () => {
  const stack = useStack({ CANCEL_WINDOW: '60s' });
  const stats = async (customerId: string, headers: Record<string, string>) =>
    request(`${stack.api}/customers/${encodeURIComponent(customerId)}/stats`, { headers });

  it('one paid, one declined, one paid-then-cancelled order: 3 orders, both charges paid, the refund given back, the kept one net', async () => {
    const product = await stack.createProduct({ stock: 10, priceCents: 1250 });
    const customer = `cust-${randomUUID()}`;
    const kept = await acceptedOrder(stack, { product: product.id, customer, quantity: 2 }, 'PAID');
    const declined = await acceptedOrder(stack, { product: product.id, customer, token: 'tok_declined' });
    await stack.waitForOrder(declined.id, (o) => o.status === 'CANCELLED');
    const refunded = await acceptedOrder(stack, { product: product.id, customer }, 'PAID');
    const cancel = await request(`${stack.api}/orders/${refunded.id}/cancel`, {
      method: 'POST',
      headers: await stack.as(customer),
      body: {},
    });
    expect(cancel.body.status).toBe('REFUNDED');

    // Right at once: no waiting for a batch (the answer of the cancel came after the REFUNDED write).
    const own = await stats(customer, await stack.as(customer));
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      customerId: customer,
      orders: { total: 3, byStatus: { PAID: 1, CANCELLED: 1, REFUNDED: 1 } },
      spent: [{ currency: 'EUR', paidCents: 2500 + 1250, refundedCents: 1250, netCents: 2500 }],
      itemsBought: 2,
      firstOrderAt: expect.any(String),
      lastOrderAt: expect.any(String),
    });
    expect(Date.parse(own.body.firstOrderAt)).toBeLessThanOrEqual(Date.parse(own.body.lastOrderAt));
    expect(kept.totalCents).toBe(2500);

    const admin = await stats(customer, stack.admin);
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual(own.body);

    const someoneElse = await stats(customer, await stack.as(`cust-${randomUUID()}`));
    expect(someoneElse.status).toBe(404);
    expect(someoneElse.body.error).toBe('not_found');
    expect((await stats(customer, {})).status).toBe(401);
  });

  it('follows every status change: a rejected order counts, a customer with no orders has zeros', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const customer = `cust-${randomUUID()}`;
    expect((await stats(customer, await stack.as(customer))).body).toEqual({
      customerId: customer,
      orders: { total: 0, byStatus: {} },
      spent: [],
      itemsBought: 0,
      firstOrderAt: null,
      lastOrderAt: null,
    });
    const refused = await placeOrder(stack, { product: product.id, customer, quantity: 2 });
    expect(refused.status).toBe(409);
    expect((await stats(customer, await stack.as(customer))).body.orders).toEqual({
      total: 1,
      byStatus: { REJECTED: 1 },
    });
  });

  it('answers fast for a customer with 10,000 orders, and agrees with the orders table', async () => {
    const customer = `cust-${randomUUID()}`;
    const em = stack.orm.em.fork();
    // Inserted and moved through statuses by SQL, as the saga's writes would: the trigger sees every change. In one
    // transaction that also drops the outbox events the seeding made before anything can see them: they are no
    // order's real changes, and every endpoint other test files subscribe meanwhile would get 20,000 messages.
    await em.transactional(async (tx) => {
      await tx.execute(
        `INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, lines, total_cents, currency, payment_status, request_fingerprint, created_at)
       SELECT gen_random_uuid(), 'seed', ?, 'seed@example.com', 'PENDING', '[]',
              jsonb_build_array(jsonb_build_object('productId', gen_random_uuid(), 'sku', 's', 'name', 'n', 'quantity', 1 + g % 3, 'unitPriceCents', 100)),
              100 * (1 + g % 3), CASE WHEN g % 2 = 0 THEN 'EUR' ELSE 'USD' END, 'not_requested', 'fp', now() - make_interval(secs => g)
       FROM generate_series(1, 10000) AS g`,
        [customer],
      );
      await tx.execute(
        `UPDATE orders SET
         status = (ARRAY['COMPLETED', 'CANCELLED', 'REFUNDED', 'PAID', 'REJECTED'])[1 + abs(hashtext(id::text)) % 5],
         payment_status = 'succeeded', authorized_cents = total_cents, captured_cents = total_cents
       WHERE customer_id = ?`,
        [customer],
      );
      await tx.execute(
        `UPDATE orders SET payment_status = CASE status WHEN 'REFUNDED' THEN 'refunded' WHEN 'CANCELLED' THEN 'failed' WHEN 'REJECTED' THEN 'not_requested' ELSE payment_status END,
         captured_cents = CASE WHEN status IN ('CANCELLED', 'REJECTED') THEN 0 ELSE captured_cents END,
         refunded_cents = CASE WHEN status = 'REFUNDED' THEN captured_cents ELSE 0 END
       WHERE customer_id = ?`,
        [customer],
      );
      await tx.execute(`DELETE FROM webhook_messages WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ?)`, [
        customer,
      ]);
      await tx.execute(`DELETE FROM webhook_events WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ?)`, [
        customer,
      ]);
    });

    const headers = await stack.as(customer);
    await stats(customer, headers); // warm: connections, plans
    const started = performance.now();
    const answer = await stats(customer, headers);
    const elapsed = performance.now() - started;
    console.log(
      `GET /customers/{id}/stats for a customer with 10,000 orders: ${elapsed.toFixed(1)} ms (HTTP round trip)`,
    );
    expect(answer.status).toBe(200);

    const [expected] = await em.execute<
      {
        total: number;
        items: string;
        by_status: Record<string, number>;
        spent: { currency: string; paid: string; refunded: string }[];
      }[]
    >(
      `SELECT count(*)::int AS total,
              sum(CASE WHEN status IN ('PAID', 'COMPLETED') THEN (lines->0->>'quantity')::int ELSE 0 END) AS items,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM orders WHERE customer_id = ? GROUP BY status) s) AS by_status,
              (SELECT json_agg(m ORDER BY m.currency) FROM (
                 SELECT currency, sum(CASE WHEN payment_status IN ('succeeded', 'refunded') THEN total_cents ELSE 0 END) AS paid,
                        sum(CASE WHEN payment_status = 'refunded' THEN total_cents ELSE 0 END) AS refunded
                 FROM orders WHERE customer_id = ? GROUP BY currency) m) AS spent
       FROM orders WHERE customer_id = ?`,
      [customer, customer, customer],
    );
    expect(answer.body.orders).toEqual({ total: 10_000, byStatus: expected.by_status });
    expect(answer.body.itemsBought).toBe(Number(expected.items));
    expect(answer.body.spent).toEqual(
      expected.spent.map((s) => ({
        currency: s.currency,
        paidCents: Number(s.paid),
        refundedCents: Number(s.refunded),
        netCents: Number(s.paid) - Number(s.refunded),
      })),
    );
  });
});
