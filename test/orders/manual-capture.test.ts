import { randomUUID } from 'node:crypto';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import type { Stack } from '../harness/stack';
import { useStack } from '../harness/stack';

// PAYMENT_CAPTURE=manual on the simulator, short timers: authorize at placement, capture later (or void on cancel).
const simulatorPayment = async (stack: Stack, id: string) => (await request(`${stack.simulatorUrl}/v1/payments/${id}`)).body;
const reasonsOf = (order: { history: { reason?: string }[] }) => order.history.map((h) => h.reason).filter(Boolean);

describe('manual capture: authorized, then captured when the window ends or voided by a cancel', () => {
  const stack = useStack({ PAYMENT_CAPTURE: 'manual', CANCEL_WINDOW: '3s', SIM_WEBHOOK_DELAY_MS: '20' });

  it('tok_visa → PAID authorized, nothing captured; cancel → CANCELLED voided, no refund at the simulator, stock back', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 700 });
    const paid = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2 }, 'PAID');
    expect(paid.payment).toMatchObject({ status: 'authorized', authorizedCents: 1400, capturedCents: 0, refundedCents: 0 });
    expect(await simulatorPayment(stack, paid.payment.providerPaymentId)).toMatchObject({ status: 'authorized', capture: 'manual' });
    // Nothing captured yet: nothing to refund.
    const refund = await request(`${stack.api}/admin/orders/${paid.id}/refunds`, { headers: { ...stack.admin, 'idempotency-key': randomUUID() }, body: { amountCents: 100, reason: 'r' } });
    expect(refund.status).toBe(409);
    expect(refund.body.error).toBe('not_refundable');

    const cancelled = await request(`${stack.api}/orders/${paid.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', failureReason: 'customer_cancelled', payment: { status: 'voided', capturedCents: 0, refundedCents: 0 } });
    const payment = await simulatorPayment(stack, paid.payment.providerPaymentId);
    expect(payment).toMatchObject({ status: 'voided', refundedCents: 0, refunds: [] });
    expect(payment).not.toHaveProperty('capturedCents');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('an order with nothing to ship is captured when the cancel window ends, then COMPLETED with capturedCents = total', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 650 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 3 }, 'PAID');
    const completed = await stack.waitForOrder(order.id, (o) => o.status === 'COMPLETED', 15_000);
    expect(completed.payment).toMatchObject({ status: 'succeeded', authorizedCents: 1950, capturedCents: 1950, refundedCents: 0 });
    expect(reasonsOf(completed)).toContain('capture_at_window_end');
    expect(completed.history.find((h: { reason?: string }) => h.reason === 'capture_at_window_end')).toMatchObject({ status: 'PAID' });
    expect(await simulatorPayment(stack, order.payment.providerPaymentId)).toMatchObject({ status: 'succeeded', capturedCents: 1950 });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it("an operator's capture (admin token): 200 captured while PAID (capture_by_operator); again → 409 not_capturable; a customer token → 401", async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 500 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    const captured = await request(`${stack.api}/admin/orders/${order.id}/capture`, { headers: stack.admin, body: {} });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'PAID', payment: { status: 'succeeded', capturedCents: 500 } });
    expect(reasonsOf(captured.body)).toContain('capture_by_operator');
    const again = await request(`${stack.api}/admin/orders/${order.id}/capture`, { headers: stack.admin, body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'not_capturable' });
    const customer = await request(`${stack.api}/admin/orders/${order.id}/capture`, { headers: await stack.as('someone'), body: {} });
    expect(customer.status).toBe(401);
    const completed = await stack.waitForOrder(order.id, (o) => o.status === 'COMPLETED', 15_000);
    expect(completed.payment).toMatchObject({ capturedCents: 500 });
    expect(reasonsOf(completed)).not.toContain('capture_at_window_end'); // captured once
    const unknown = await request(`${stack.api}/admin/orders/${randomUUID()}/capture`, { headers: stack.admin, body: {} });
    expect(unknown.status).toBe(404);
  });
});

describe('manual capture: AUTHORIZATION_TTL shorter than the cancel window', () => {
  const stack = useStack({ PAYMENT_CAPTURE: 'manual', CANCEL_WINDOW: '14s', AUTHORIZATION_TTL: '8s', SIM_WEBHOOK_DELAY_MS: '20' });

  it('captured about 8 s after the authorization while still PAID (capture_before_hold_expires), COMPLETED when the window ends', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 900 });
    const paid = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    const authorizedAt = Date.now();
    const captured = await stack.waitForOrder(paid.id, (o) => o.payment.capturedCents > 0, 20_000);
    expect(Date.now() - authorizedAt).toBeGreaterThan(6_000);
    expect(captured).toMatchObject({ status: 'PAID', payment: { status: 'succeeded', capturedCents: 900 } });
    expect(captured.history.at(-1)).toMatchObject({ status: 'PAID', reason: 'capture_before_hold_expires' });
    const completed = await stack.waitForOrder(paid.id, (o) => o.status === 'COMPLETED', 20_000);
    expect(completed.payment).toMatchObject({ status: 'succeeded', capturedCents: 900 });
  }, 60_000);
});

describe('manual capture: an authorization that lapses (tok_auth_expires)', () => {
  const stack = useStack({ PAYMENT_CAPTURE: 'manual', CANCEL_WINDOW: '2s', SIM_AUTH_TTL_MS: '300', SIM_WEBHOOK_DELAY_MS: '20' });

  it('the capture fails: CANCELLED with reason authorization_expired, nothing captured, stock back', async () => {
    const product = await stack.createProduct({ stock: 4, priceCents: 300 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2, token: 'tok_auth_expires' }, 'PAID');
    expect(order.payment).toMatchObject({ status: 'authorized', capturedCents: 0 });
    const cancelled = await stack.waitForOrder(order.id, (o) => o.status === 'CANCELLED', 15_000);
    expect(cancelled).toMatchObject({ failureReason: 'authorization_expired', payment: { status: 'voided', capturedCents: 0, refundedCents: 0 } });
    expect(cancelled.history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'authorization_expired' });
    expect(await simulatorPayment(stack, order.payment.providerPaymentId)).toMatchObject({ status: 'voided', failureReason: 'authorization_expired' });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
  });
});
