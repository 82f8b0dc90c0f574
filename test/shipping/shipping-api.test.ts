import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import type { Stack } from '../harness/stack';
import { useStack } from '../harness/stack';

// Goods that ship, through the API with the simulator's payments and carrier, short timers: shipments, the carrier's
// webhooks, deliveries, cancels of undispatched units, returns, and the clocks.

/** A product that ships (admin create with requiresShipping). */
async function shippingProduct(stack: Stack, { stock = 10, priceCents = 1000 } = {}): Promise<{ id: string }> {
  const res = await request(`${stack.api}/admin/products`, {
    headers: stack.admin,
    body: { sku: `sku-${randomUUID()}`, name: 'A parcel', priceCents, currency: 'EUR', stock, requiresShipping: true },
  });
  if (res.status !== 201) throw new Error(`create product: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body).toMatchObject({ requiresShipping: true });
  return res.body;
}

const ship = (stack: Stack, orderId: string, items: { productId: string; quantity: number }[], { key = randomUUID(), carrier }: { key?: string; carrier?: string } = {}) =>
  request(`${stack.api}/admin/orders/${orderId}/shipments`, {
    headers: { ...stack.admin, 'idempotency-key': key },
    body: { items, ...(carrier ? { carrier } : {}) },
  });
const reasonsOf = (order: { history: { reason?: string }[] }) => order.history.map((h) => h.reason).filter(Boolean);

describe('shipping: shipped, delivered by the carrier’s webhooks, completed when the return window ends', () => {
  const stack = useStack({ CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DELIVERY_DELAY_MS: '150', RETURN_WINDOW: '3s' });

  it('stays PAID past the cancel window; 1 of 2 → PARTIALLY_SHIPPED; the other → SHIPPED; webhooks → DELIVERED; → COMPLETED', async () => {
    const product = await shippingProduct(stack);
    const paid = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2 }, 'PAID');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await stack.waitForOrder(paid.id, () => true)).status).toBe('PAID');

    const key = randomUUID();
    const first = await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }], { key });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ orderId: paid.id, status: 'dispatched', items: [{ productId: product.id, quantity: 1 }], carrier: 'sim-post' });
    expect(first.body.trackingNumber).toEqual(expect.any(String));
    // The same request again: the same shipment, said so; the same key with another body: 409.
    const again = await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }], { key });
    expect(again).toMatchObject({ status: 201, body: { id: first.body.id, trackingNumber: first.body.trackingNumber } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const reused = await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }], { key, carrier: 'other-post' });
    expect(reused).toMatchObject({ status: 409, body: { error: 'idempotency_key_reused' } });
    expect((await stack.waitForOrder(paid.id, () => true)).status).toBe('PARTIALLY_SHIPPED');

    const tooMany = await ship(stack, paid.id, [{ productId: product.id, quantity: 2 }]);
    expect(tooMany).toMatchObject({ status: 422, body: { error: 'quantity_exceeds_order' } });
    expect((await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }])).status).toBe(201);

    const delivered = await stack.waitForOrder(paid.id, (o) => o.status === 'DELIVERED', 15_000);
    expect(delivered.shipments).toHaveLength(2);
    expect(delivered.shipments.every((s: { status: string }) => s.status === 'delivered')).toBe(true);
    const completed = await stack.waitForOrder(paid.id, (o) => o.status === 'COMPLETED', 15_000);
    expect(completed.history.map((h: { status: string }) => h.status)).toEqual(
      expect.arrayContaining(['PAID', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED', 'COMPLETED']),
    );
    expect(reasonsOf(completed)).toEqual(expect.arrayContaining(['shipment_dispatched', 'shipment_delivered', 'return_window_ended']));
    // Dispatch moves no stock: the units were sold at payment.
    expect(await stack.product(product.id)).toMatchObject({ onHand: 8, reserved: 0 });
  }, 60_000);

  it('shipping an order that is not paid → 409 not_shippable; an unknown order → 404; a customer token → 401', async () => {
    const product = await shippingProduct(stack);
    const pending = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_slow' });
    expect(pending.status).toBe('AWAITING_PAYMENT');
    expect(await ship(stack, pending.id, [{ productId: product.id, quantity: 1 }])).toMatchObject({ status: 409, body: { error: 'not_shippable' } });
    expect((await ship(stack, randomUUID(), [{ productId: product.id, quantity: 1 }])).status).toBe(404);
    const asCustomer = await request(`${stack.api}/admin/orders/${pending.id}/shipments`, {
      headers: { ...(await stack.as('someone')), 'idempotency-key': randomUUID() },
      body: { items: [{ productId: product.id, quantity: 1 }] },
    });
    expect(asCustomer.status).toBe(401);
    const noKey = await request(`${stack.api}/admin/orders/${pending.id}/shipments`, { headers: stack.admin, body: { items: [{ productId: product.id, quantity: 1 }] } });
    expect(noKey.status).toBe(400);
  });

  it('cancels one undispatched line of a two-line order: its stock back, its price refunded, the rest ships; dispatched units → 409', async () => {
    const book = await shippingProduct(stack, { stock: 5, priceCents: 1000 });
    const mug = await shippingProduct(stack, { stock: 5, priceCents: 400 });
    const customer = `cust-${randomUUID()}`;
    const paid = await acceptedOrder(stack, { customer, items: [{ productId: book.id, quantity: 1 }, { productId: mug.id, quantity: 2 }] }, 'PAID');
    const auth = await stack.as(customer);
    const cancelled = await request(`${stack.api}/orders/${paid.id}/cancel`, { headers: auth, body: { items: [{ productId: mug.id, quantity: 2 }] } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'PAID', payment: { status: 'partially_refunded', capturedCents: 1800, refundedCents: 800 } });
    expect(await stack.product(mug.id)).toMatchObject({ onHand: 5, reserved: 0 });
    expect(await stack.product(book.id)).toMatchObject({ onHand: 4 });

    expect((await ship(stack, paid.id, [{ productId: book.id, quantity: 1 }])).status).toBe(201);
    const shipped = await stack.waitForOrder(paid.id, (o) => o.status === 'SHIPPED' || o.status === 'DELIVERED');
    expect(shipped.status).not.toBe('PARTIALLY_SHIPPED'); // nothing else left to ship
    const late = await request(`${stack.api}/orders/${paid.id}/cancel`, { headers: auth, body: { items: [{ productId: book.id, quantity: 1 }] } });
    expect(late).toMatchObject({ status: 409, body: { error: 'not_cancellable' } });
    const whole = await request(`${stack.api}/orders/${paid.id}/cancel`, { headers: auth, body: {} });
    expect(whole).toMatchObject({ status: 409, body: { error: 'not_cancellable' } });
  }, 60_000);
});

describe('shipping: returns', () => {
  const stack = useStack({ CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DELIVERY_DELAY_MS: '60000', RETURN_WINDOW: '60s' });

  it('1 of 2 returned → 201; received → stock +1, one unit refunded, still DELIVERED; the rest → REFUNDED; more than delivered → 422', async () => {
    const product = await shippingProduct(stack, { stock: 5, priceCents: 1500 });
    const customer = `cust-${randomUUID()}`;
    const paid = await acceptedOrder(stack, { customer, product: product.id, quantity: 2 }, 'PAID');
    const shipment = await ship(stack, paid.id, [{ productId: product.id, quantity: 2 }]);
    // The carrier here is slow: the delivery is recorded by hand; a second time answers it unchanged.
    const delivered = await request(`${stack.api}/admin/shipments/${shipment.body.id}/delivered`, { headers: stack.admin, body: {} });
    expect(delivered).toMatchObject({ status: 200, body: { status: 'delivered' } });
    expect((await request(`${stack.api}/admin/shipments/${shipment.body.id}/delivered`, { headers: stack.admin, body: {} })).status).toBe(200);
    await stack.waitForOrder(paid.id, (o) => o.status === 'DELIVERED');

    const auth = await stack.as(customer);
    const tooMany = await request(`${stack.api}/orders/${paid.id}/returns`, { headers: auth, body: { items: [{ productId: product.id, quantity: 3 }], reason: 'x' } });
    expect(tooMany).toMatchObject({ status: 422, body: { error: 'quantity_exceeds_order' } });
    const someoneElse = await request(`${stack.api}/orders/${paid.id}/returns`, { headers: await stack.as('someone-else'), body: { items: [{ productId: product.id, quantity: 1 }], reason: 'x' } });
    expect(someoneElse.status).toBe(404);

    const opened = await request(`${stack.api}/orders/${paid.id}/returns`, { headers: auth, body: { items: [{ productId: product.id, quantity: 1 }], reason: 'too small' } });
    expect(opened).toMatchObject({ status: 201, body: { status: 'requested', refundCents: 1500, items: [{ productId: product.id, quantity: 1 }] } });
    const received = await request(`${stack.api}/admin/returns/${opened.body.id}/receive`, { headers: stack.admin, body: {} });
    expect(received).toMatchObject({ status: 200, body: { status: 'received' } });
    const afterOne = await stack.waitForOrder(paid.id, (o) => o.payment.refundedCents === 1500);
    expect(afterOne).toMatchObject({ status: 'DELIVERED', payment: { status: 'partially_refunded' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });

    const rest = await request(`${stack.api}/orders/${paid.id}/returns`, { headers: auth, body: { items: [{ productId: product.id, quantity: 1 }], reason: 'also' } });
    expect(rest.status).toBe(201);
    expect((await request(`${stack.api}/admin/returns/${rest.body.id}/receive`, { headers: stack.admin, body: {} })).status).toBe(200);
    const refunded = await stack.waitForOrder(paid.id, (o) => o.status === 'REFUNDED');
    expect(refunded.payment).toMatchObject({ status: 'refunded', refundedCents: 3000 });
    expect(refunded.returns).toHaveLength(2);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5 });
  }, 60_000);
});

describe('shipping: the clocks', () => {
  const stack = useStack({ CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DELIVERY_DELAY_MS: '100', RETURN_WINDOW: '2s', DELIVERY_TIMEOUT: '3s' });

  it('a return after the window → 409 not_returnable', async () => {
    const product = await shippingProduct(stack);
    const customer = `cust-${randomUUID()}`;
    const paid = await acceptedOrder(stack, { customer, product: product.id }, 'PAID');
    expect((await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }])).status).toBe(201);
    await stack.waitForOrder(paid.id, (o) => o.status === 'COMPLETED', 15_000);
    const late = await request(`${stack.api}/orders/${paid.id}/returns`, { headers: await stack.as(customer), body: { items: [{ productId: product.id, quantity: 1 }], reason: 'late' } });
    expect(late).toMatchObject({ status: 409, body: { error: 'not_returnable' } });
  }, 30_000);

  it('a lost-in-transit shipment → NEEDS_ATTENTION (delivery_overdue) after DELIVERY_TIMEOUT', async () => {
    const product = await shippingProduct(stack);
    const paid = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    const shipment = await ship(stack, paid.id, [{ productId: product.id, quantity: 1 }], { carrier: 'lost-in-transit' });
    expect(shipment.body.trackingNumber).toMatch(/-lost$/);
    const overdue = await stack.waitForOrder(paid.id, (o) => o.status === 'NEEDS_ATTENTION', 15_000);
    expect(overdue).toMatchObject({ failureReason: 'delivery_overdue' });
  }, 30_000);
});

describe('shipping: manual capture', () => {
  const stack = useStack({ PAYMENT_CAPTURE: 'manual', CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '20', SIM_DELIVERY_DELAY_MS: '60000' });

  it('captured at the first dispatch, for the whole order; a line cancelled before it is never captured', async () => {
    const book = await shippingProduct(stack, { priceCents: 1000 });
    const mug = await shippingProduct(stack, { priceCents: 300 });
    const paid = await acceptedOrder(stack, { by: 'admin', items: [{ productId: book.id, quantity: 2 }, { productId: mug.id, quantity: 1 }] }, 'PAID');
    await new Promise((r) => setTimeout(r, 1_500)); // past the cancel window: goods that ship are not captured there
    expect((await stack.waitForOrder(paid.id, () => true)).payment).toMatchObject({ status: 'authorized', capturedCents: 0 });
    const cancelled = await request(`${stack.api}/orders/${paid.id}/cancel`, { headers: stack.admin, body: { items: [{ productId: mug.id, quantity: 1 }] } });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'PAID', payment: { capturedCents: 0, refundedCents: 0 } } });
    expect((await ship(stack, paid.id, [{ productId: book.id, quantity: 1 }])).status).toBe(201);
    const shipped = await stack.waitForOrder(paid.id, (o) => o.status === 'PARTIALLY_SHIPPED');
    expect(shipped.payment).toMatchObject({ status: 'succeeded', capturedCents: 2000, refundedCents: 0 });
    expect(reasonsOf(shipped)).toContain('capture_at_dispatch');
    expect((await ship(stack, paid.id, [{ productId: book.id, quantity: 1 }])).status).toBe(201);
    const whole = await stack.waitForOrder(paid.id, (o) => o.status === 'SHIPPED');
    expect(whole.payment.capturedCents).toBe(2000); // captured once
  }, 60_000);
});
