import { randomUUID } from 'node:crypto';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Issue #26 (a): the payment ledger and operators' refunds under automatic capture, on the simulator.
describe('POST /admin/orders/{id}/refunds', () => {
  const stack = useStack({ CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });

  const refund = (orderId: string, body: unknown, key = randomUUID()) =>
    request(`${stack.api}/admin/orders/${orderId}/refunds`, { headers: { ...stack.admin, 'idempotency-key': key }, body });
  const simulatorPayment = async (id: string) => (await request(`${stack.simulatorUrl}/v1/payments/${id}`)).body;

  /** A COMPLETED order of two lines: 2 × 700 and 1 × 450. */
  async function completedTwoLineOrder() {
    const a = await stack.createProduct({ stock: 5, priceCents: 700 });
    const b = await stack.createProduct({ stock: 5, priceCents: 450 });
    const order = await acceptedOrder(stack, { by: 'admin', items: [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 1 }] }, 'COMPLETED');
    return { a, b, order };
  }

  it('the ledger of a paid order: authorised and captured the total, nothing refunded', async () => {
    const { order } = await completedTwoLineOrder();
    expect(order.payment).toMatchObject({ status: 'succeeded', authorizedCents: 1850, capturedCents: 1850, refundedCents: 0, refunds: [] });
  });

  it('a line, then the rest: partially_refunded, the same key again → the same refund, over what is left → 422, the rest → REFUNDED', async () => {
    const { a, b, order } = await completedTwoLineOrder();
    const key = randomUUID();
    const first = await refund(order.id, { items: [{ productId: b.id, quantity: 1 }], reason: 'damaged', restock: true }, key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id: expect.any(String), amountCents: 450, status: 'succeeded', restock: true });

    const after = (await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body;
    expect(after).toMatchObject({ status: 'COMPLETED', payment: { status: 'partially_refunded', capturedCents: 1850, refundedCents: 450 } });
    expect(after.payment.refunds).toEqual([first.body]);
    expect(after.history.at(-1)).toMatchObject({ status: 'COMPLETED', reason: 'partial_refund' });
    expect(await stack.product(b.id)).toMatchObject({ onHand: 5 }); // restocked
    expect(await stack.product(a.id)).toMatchObject({ onHand: 3 });

    const again = await refund(order.id, { items: [{ productId: b.id, quantity: 1 }], reason: 'damaged', restock: true }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const payment = await simulatorPayment(order.payment.providerPaymentId);
    expect(payment).toMatchObject({ status: 'succeeded', refundedCents: 450 });
    expect(payment.refunds).toHaveLength(1);
    expect((await refund(order.id, { amountCents: 1 }, key)).body.error).toBe('validation_failed'); // no reason

    const tooMuch = await refund(order.id, { amountCents: 1401, reason: 'goodwill' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ error: 'refund_exceeds_captured', details: { refundableCents: 1400 } });
    const lineAgain = await refund(order.id, { items: [{ productId: b.id, quantity: 1 }], reason: 'twice' });
    expect(lineAgain.status).toBe(422);

    const rest = await refund(order.id, { amountCents: 1400, reason: 'goodwill' });
    expect(rest.status).toBe(201);
    const refunded = (await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body;
    expect(refunded).toMatchObject({ status: 'REFUNDED', payment: { status: 'refunded', capturedCents: 1850, refundedCents: 1850 } });
    expect(refunded.history.at(-1)).toMatchObject({ status: 'REFUNDED', reason: 'refunded_by_operator' });
    expect(await simulatorPayment(order.payment.providerPaymentId)).toMatchObject({ status: 'refunded', refundedCents: 1850 });
    expect((await refund(order.id, { amountCents: 1, reason: 'more' })).status).toBe(422);
  });

  it('nothing captured → 409 not_refundable; unknown order → 404; no key → 400; a customer token → 401', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const declined = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'tok_declined' }, 'CANCELLED');
    const res = await refund(declined.id, { amountCents: 1, reason: 'r' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_refundable');
    expect((await refund(randomUUID(), { amountCents: 1, reason: 'r' })).status).toBe(404);
    const noKey = await request(`${stack.api}/admin/orders/${declined.id}/refunds`, { headers: stack.admin, body: { amountCents: 1, reason: 'r' } });
    expect(noKey.status).toBe(400);
    const asCustomer = await request(`${stack.api}/admin/orders/${declined.id}/refunds`, {
      headers: { ...(await stack.as(declined.customerId)), 'idempotency-key': randomUUID() },
      body: { amountCents: 1, reason: 'r' },
    });
    expect(asCustomer.status).toBe(401);
  });
});

describe('refunding a PAID order within its cancel window', () => {
  const stack = useStack({ CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  it('is 409 not_refundable (cancel it instead); a cancel still refunds it all', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 800 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id }, 'PAID');
    const res = await request(`${stack.api}/admin/orders/${order.id}/refunds`, {
      headers: { ...stack.admin, 'idempotency-key': randomUUID() },
      body: { amountCents: 100, reason: 'r' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_refundable');
    const cancelled = await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.body).toMatchObject({ status: 'REFUNDED', payment: { status: 'refunded', capturedCents: 800, refundedCents: 800 } });
  });
});

describe('a refund the provider refuses', () => {
  const stack = useStack({ CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' }, {}, {
    // The provider refuses partial refunds outright (a definite 4xx): the refund fails, the money stays captured.
    wrapPayments: (provider) => ({
      acceptsPaymentMethod: (token) => provider.acceptsPaymentMethod(token),
      createPayment: (input) => provider.createPayment(input),
      getPayment: (id) => provider.getPayment(id),
      listPayments: (orderId) => provider.listPayments(orderId),
      voidPayment: (id) => provider.voidPayment(id),
      capturePayment: (id, input) => provider.capturePayment(id, input),
      refundPayment: (id, key) => provider.refundPayment(id, key),
      refundPart: () => Promise.reject(new PaymentProviderError({ code: 'charge_disputed', message: 'the charge is disputed', status: 400, retryable: false })),
    }),
  });

  it('is answered 201 failed; the order needs an operator (NEEDS_ATTENTION, refund_failed), nothing refunded', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 900 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2 }, 'COMPLETED');
    const res = await request(`${stack.api}/admin/orders/${order.id}/refunds`, {
      headers: { ...stack.admin, 'idempotency-key': randomUUID() },
      body: { amountCents: 900, reason: 'r' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amountCents: 900, status: 'failed', failure: 'charge_disputed' });
    const after = (await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body;
    expect(after).toMatchObject({ status: 'NEEDS_ATTENTION', failureReason: 'refund_failed', payment: { status: 'succeeded', capturedCents: 1800, refundedCents: 0 } });
    expect(after.history.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'refund_failed' });
    expect((await request(`${stack.simulatorUrl}/v1/payments/${order.payment.providerPaymentId}`)).body).toMatchObject({ status: 'succeeded', refundedCents: 0 });
  });
});
