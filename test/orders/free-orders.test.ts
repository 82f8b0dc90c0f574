import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// A product at price 0, ordered end to end: no payment at the provider (the simulator), PAID with payment
// `not_required`; a cancel restocks and ends CANCELLED (issue #24, free orders).
describe('free orders', () => {
  const stack = useStack({ CANCEL_WINDOW: '60s' });

  it('a free order is PAID without a payment at the provider; cancelling it restocks and ends CANCELLED', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 0 });
    const placed = await acceptedOrder(stack, { product: product.id, quantity: 2, token: 'tok_visa' });
    expect(placed).toMatchObject({ status: 'PAID', totalCents: 0, payment: { status: 'not_required' } });
    expect(placed.history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'RESERVED', 'PAID']);
    expect(stack.simulator.payments.list(placed.id)).toEqual([]);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });

    const cancel = await request(`${stack.api}/orders/${placed.id}/cancel`, { method: 'POST', headers: await stack.as(placed.customerId), body: {} });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'CANCELLED', failureReason: 'customer_cancelled', payment: { status: 'not_required' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(stack.simulator.payments.list(placed.id)).toEqual([]);
    expect(await stack.notificationTemplates(placed.id, 2)).toEqual(['order_cancelled', 'order_confirmed']);
  });

  it('a Temporal cancel of a free PAID order restocks it and ends CANCELLED, nothing to refund', async () => {
    const product = await stack.createProduct({ stock: 1, priceCents: 0 });
    const placed = await acceptedOrder(stack, { product: product.id, token: 'tok_visa' });
    await stack.temporal.workflow.getHandle(placed.workflowId).cancel(); // a Temporal cancel: nothing to refund either
    const ended = await stack.waitForOrder(placed.id, (o) => o.status === 'CANCELLED');
    expect(ended).toMatchObject({ failureReason: 'cancelled_by_operator', payment: { status: 'not_required' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it('negative prices stay refused', async () => {
    const res = await request(`${stack.api}/admin/products`, {
      headers: stack.admin,
      body: { sku: `neg-${Date.now()}`, name: 'Negative', priceCents: -1, currency: 'EUR', stock: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
  });
});
