import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { acceptedOrder, placedOrderId, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

describe('POST /orders/:id/cancel (an update on the saga)', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  const cancel = (id: string, body: unknown = { reason: 'changed my mind' }) => request(`${stack.api}/orders/${id}/cancel`, { headers: stack.admin, body });

  it('before payment: 200 once compensated — payment voided, stock released; again → 200 unchanged', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const order = await acceptedOrder(stack, { product: product.id, token: 'tok_no_webhook', quantity: 2 });
    const res = await cancel(order.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'CANCELLED', failureReason: 'customer_cancelled', payment: { status: 'voided' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
    const payment = await request(`${stack.simulatorUrl}/v1/payments/${order.payment.providerPaymentId}`);
    expect(payment.body.status).toBe('voided');

    const again = await cancel(order.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it('after payment, inside the window: refunded, restocked, REFUNDED; a second cancel is 409', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 900 });
    const order = await acceptedOrder(stack, { product: product.id, quantity: 2 });
    await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0 });

    const res = await cancel(order.id, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'REFUNDED', payment: { status: 'refunded' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
    const payment = await request(`${stack.simulatorUrl}/v1/payments/${order.payment.providerPaymentId}`);
    expect(payment.body.status).toBe('refunded');

    const again = await cancel(order.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('not_cancellable');
    expect(await stack.notificationTemplates(order.id, 2)).toEqual(['order_confirmed', 'order_refunded']);
  });

  it('a REJECTED order is not cancellable (409)', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const res = await placeOrder(stack, { by: 'admin', product: product.id, quantity: 3 });
    expect(res.status).toBe(409);
    const cancelled = await cancel(placedOrderId(res));
    expect(cancelled.status).toBe(409);
    expect(cancelled.body).toMatchObject({ error: 'not_cancellable' });
  });

  it('unknown order → 404; a malformed body → 400', async () => {
    expect((await cancel(randomUUID())).status).toBe(404);
    expect((await cancel('not-a-uuid')).status).toBe(404);
    const product = await stack.createProduct({ stock: 1 });
    const order = await acceptedOrder(stack, { product: product.id, token: 'tok_no_webhook' });
    const bad = await cancel(order.id, { reason: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_failed');
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('AWAITING_PAYMENT');
    await cancel(order.id);
  });
});

describe('cancelling a COMPLETED order', () => {
  const stack = useStack({ CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });

  it('is 409 not_cancellable, and nothing changes', async () => {
    const product = await stack.createProduct({ stock: 3 });
    const placed = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'COMPLETED');
    const res = await request(`${stack.api}/orders/${placed.id}/cancel`, { headers: stack.admin, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_cancellable');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 2, reserved: 0 });
  });
});
