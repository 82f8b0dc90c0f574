import { randomUUID } from 'node:crypto';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { request } from '../harness/http';
import { placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

describe('notifications that keep failing', () => {
  const stack = useStack({ CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20', SIM_NOTIFY_FAIL_RATE: '1', NOTIFY_MAX_ATTEMPTS: '2' });

  it('are recorded FAILED (listed by GET /admin/notifications?status=failed) and do not fail the order', async () => {
    const product = await stack.createProduct({ stock: 2 });
    const placed = await placeOrder(stack, { by: 'admin', product: product.id, email: 'n@example.com' });
    expect(placed.status).toBe(201);
    const done = await stack.waitForOrder(placed.body.id, (o) => o.status === 'COMPLETED');
    expect(done.status).toBe('COMPLETED');

    expect((await request(`${stack.api}/admin/notifications?status=failed`)).status).toBe(401);
    const failed = await request(`${stack.api}/admin/notifications?status=failed`, { headers: stack.admin });
    expect(failed.status).toBe(200);
    const mine = failed.body.items.filter((n: any) => n.orderId === placed.body.id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'order_confirmed', status: 'FAILED', attempts: 2, recipient: 'n@example.com', lastError: expect.any(String) }),
    ]);
    const bad = await request(`${stack.api}/admin/notifications?status=lost`, { headers: stack.admin });
    expect(bad.status).toBe(400);
  });
});

describe('POST /admin/orders/:id/retry-compensation', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  it('requires the admin token, and is 409 for an order with no failed compensation', async () => {
    const product = await stack.createProduct({ stock: 2 });
    const placed = await placeOrder(stack, { by: 'admin', product: product.id, token: 'tok_no_webhook' });
    const url = `${stack.api}/admin/orders/${placed.body.id}/retry-compensation`;
    expect((await request(url, { method: 'POST' })).status).toBe(401);
    const res = await request(url, { method: 'POST', headers: stack.admin });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_retryable');
    expect((await request(`${stack.api}/admin/orders/${randomUUID()}/retry-compensation`, { method: 'POST', headers: stack.admin })).status).toBe(404);
    await request(`${stack.api}/orders/${placed.body.id}/cancel`, { headers: stack.admin, body: {} });
  });
});

describe('a compensation that fails: NEEDS_ATTENTION, then an operator retries it', () => {
  let voidBroken = true;
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', SIM_WEBHOOK_DELAY_MS: '20' }, {}, {
      // The provider refuses voids outright (a definite 4xx, so Temporal does not retry) until "fixed".
      wrapPayments: (provider) => ({
        ...provider,
        acceptsPaymentMethod: (token) => provider.acceptsPaymentMethod(token),
        createPayment: (input) => provider.createPayment(input),
        getPayment: (id) => provider.getPayment(id),
        listPayments: (orderId) => provider.listPayments(orderId),
        refundPayment: (id, key) => provider.refundPayment(id, key),
        voidPayment: (id) =>
          voidBroken ? Promise.reject(new PaymentProviderError({ code: 'account_frozen', message: 'voids are disabled', status: 403, retryable: false })) : provider.voidPayment(id),
      }),
  });

  it('the order waits in NEEDS_ATTENTION with its stock released; the retry voids the payment and cancels it', async () => {
    const product = await stack.createProduct({ stock: 3 });
    const placed = await placeOrder(stack, { by: 'admin', product: product.id, quantity: 2, token: 'tok_no_webhook' });
    const cancelled = await request(`${stack.api}/orders/${placed.body.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'NEEDS_ATTENTION', failureReason: 'customer_cancelled' });
    expect(cancelled.body.history.at(-1).reason).toBe('compensation_failed:void_or_refund_payment');
    // The compensations after the failed one still ran: the stock is back.
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0 });

    voidBroken = false;
    const retried = await request(`${stack.api}/admin/orders/${placed.body.id}/retry-compensation`, { method: 'POST', headers: stack.admin });
    expect(retried.status).toBe(200);
    const done = await stack.waitForOrder(placed.body.id, (o) => o.status === 'CANCELLED');
    expect(done.payment.status).toBe('voided');
    const payment = await request(`${stack.simulatorUrl}/v1/payments/${placed.body.payment.providerPaymentId}`);
    expect(payment.body.status).toBe('voided');
  });
});
