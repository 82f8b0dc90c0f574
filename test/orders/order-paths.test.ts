import { randomUUID } from 'node:crypto';
import { isSettled } from '../../workflows/order/state-machine';
import { request } from '../harness/http';
import { placedOrderId, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

// Every simulator token's path, end to end: HTTP → Temporal → worker → PostgreSQL and the payment simulator.
describe('order saga end to end: each payment outcome', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '3s', CANCEL_WINDOW: '1s', SIM_WEBHOOK_DELAY_MS: '50', SIM_SLOW_MS: '600' });

  const terminal = (o: any) => isSettled(o?.status);

  it('tok_visa: 201 AWAITING_PAYMENT, then PAID, then COMPLETED; stock sold exactly', async () => {
    const product = await stack.createProduct({ stock: 10, priceCents: 1250 });
    const res = await placeOrder(stack, { product: product.id, quantity: 3 });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'AWAITING_PAYMENT',
      totalCents: 3750,
      currency: 'EUR',
      items: [{ productId: product.id, quantity: 3, unitPriceCents: 1250, lineTotalCents: 3750, name: 'Test product' }],
      payment: { status: 'pending', providerPaymentId: expect.stringMatching(/^pay_/) },
      workflowId: `order-${res.body.id}`,
      temporalUiUrl: expect.stringContaining(`/workflows/order-${res.body.id}`),
    });
    // The webhook follows within 50 ms and may already be handled: the 3 units are reserved or already sold, never
    // both and never lost.
    const stock = await stack.product(product.id);
    expect([{ onHand: 10, reserved: 3 }, { onHand: 7, reserved: 0 }]).toContainEqual({ onHand: stock.onHand, reserved: stock.reserved });
    expect(stock.available).toBe(7);

    const done = await stack.waitForOrder(res.body.id, terminal);
    expect(done.status).toBe('COMPLETED');
    expect(done.history.map((h: any) => h.status)).toEqual(['PENDING', 'RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED']);
    expect(done.payment.status).toBe('succeeded');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 7, reserved: 0, available: 7 });

    expect(await stack.notificationTemplates(res.body.id, 1)).toEqual(['order_confirmed']);
  });

  it('tok_declined: CANCELLED (payment_declined), stock released', async () => {
    const product = await stack.createProduct({ stock: 5 });
    const res = await placeOrder(stack, { product: product.id, token: 'tok_declined', quantity: 2 });
    expect(res.status).toBe(201);
    const done = await stack.waitForOrder(res.body.id, terminal);
    expect(done).toMatchObject({ status: 'CANCELLED', failureReason: 'card_declined' });
    expect(done.history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'card_declined' });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
    expect(await stack.notificationTemplates(res.body.id, 1)).toEqual(['order_cancelled']);
  });

  it('tok_wallet: a funded wallet pays; a short one is declined with insufficient_funds', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 1000 });
    const rich = `cust-${randomUUID()}`;
    const poor = `cust-${randomUUID()}`;
    for (const customerId of [rich, poor]) expect((await request(`${stack.simulatorUrl}/v1/accounts`, { body: { customerId } })).status).toBe(201);
    await request(`${stack.simulatorUrl}/v1/accounts/${rich}/deposits`, { body: { amountCents: 5000 } });
    await request(`${stack.simulatorUrl}/v1/accounts/${poor}/deposits`, { body: { amountCents: 500 } });

    const paid = await placeOrder(stack, { customer: rich, product: product.id, token: 'tok_wallet', quantity: 2 });
    const short = await placeOrder(stack, { customer: poor, product: product.id, token: 'tok_wallet', quantity: 2 });
    expect((await stack.waitForOrder(paid.body.id, terminal)).status).toBe('COMPLETED');
    expect(await stack.waitForOrder(short.body.id, terminal)).toMatchObject({ status: 'CANCELLED', failureReason: 'insufficient_funds' });
    expect((await request(`${stack.simulatorUrl}/v1/accounts/${rich}`)).body.balanceCents).toBe(3000);
    expect((await request(`${stack.simulatorUrl}/v1/accounts/${poor}`)).body.balanceCents).toBe(500);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('tok_no_webhook: CANCELLED after PAYMENT_TIMEOUT, the pending payment voided, stock released', async () => {
    const product = await stack.createProduct({ stock: 4 });
    const res = await placeOrder(stack, { product: product.id, token: 'tok_no_webhook', quantity: 2 });
    const done = await stack.waitForOrder(res.body.id, terminal);
    expect(done).toMatchObject({ status: 'CANCELLED', failureReason: 'payment_timeout', payment: { status: 'voided' } });
    const payment = await request(`${stack.simulatorUrl}/v1/payments/${done.payment.providerPaymentId}`);
    expect(payment.body.status).toBe('voided');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('tok_slow: the late-but-in-time webhook still pays the order', async () => {
    const product = await stack.createProduct({ stock: 4 });
    const res = await placeOrder(stack, { product: product.id, token: 'tok_slow' });
    expect((await stack.waitForOrder(res.body.id, terminal)).status).toBe('COMPLETED');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('insufficient stock: 409 with the shortfall, the order kept as REJECTED, nothing reserved', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const res = await placeOrder(stack, { product: product.id, quantity: 2 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'insufficient_stock',
      message: expect.any(String),
      details: [{ productId: product.id, requested: 2, available: 1 }],
    });
    const orderId = placedOrderId(res);
    expect((await request(`${stack.api}/orders/${orderId}`, { headers: stack.admin })).body).toMatchObject({ status: 'REJECTED', failureReason: 'insufficient_stock' });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it('unknown or inactive product: 422 unknown_product; mixed currencies: 422 currency_mismatch', async () => {
    const unknown = await placeOrder(stack, { product: randomUUID(), quantity: 2 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toBe('unknown_product');

    const eur = await stack.createProduct({ currency: 'EUR' });
    const usd = await stack.createProduct({ currency: 'USD' });
    const mixed = await placeOrder(stack, { items: [{ productId: eur.id, quantity: 1 }, { productId: usd.id, quantity: 1 }] });
    expect(mixed.status).toBe(422);
    expect(mixed.body.error).toBe('currency_mismatch');
    expect(await stack.product(eur.id)).toMatchObject({ reserved: 0 });
  });

  it('a payment token the provider does not take: 422 unsupported_payment_method, nothing reserved, no order', async () => {
    const product = await stack.createProduct({ stock: 3 });
    const customerId = `cust-${randomUUID()}`;
    for (const token of ['tok_mastercard', 'pm_card_visa']) {
      const res = await placeOrder(stack, { customer: customerId, product: product.id, quantity: 2, token, key: `unsupported-${token}` });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'unsupported_payment_method', message: expect.stringContaining(token), details: { token } });
      expect(res.headers.get('location')).toBeNull();
    }
    expect(await stack.product(product.id)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect((await request(`${stack.api}/orders?customerId=${customerId}`, { headers: stack.admin })).body.items).toEqual([]);
  });
});
