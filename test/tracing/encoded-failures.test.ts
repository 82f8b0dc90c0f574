import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { placedOrderId, placeOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

/** Every failure (and nested cause) in a history, with its message as stored: what anyone without the codec reads. */
function failureMessages(value: unknown, key = '', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => failureMessages(v, key, out));
  else if (value && typeof value === 'object') {
    if ((key === 'failure' || key === 'cause' || key === 'lastFailure') && 'message' in value) out.push(String((value as { message: unknown }).message));
    for (const [k, v] of Object.entries(value)) failureMessages(v, k, out);
  }
  return out;
}

/** Every string and byte string (read as UTF-8) in the history. */
function texts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) value.forEach((v) => texts(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => texts(v, out));
  return out;
}

describe('failures in Temporal history are encoded; payloads sent in clear are refused', () => {
  const paymentMethod = `pm_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const providerText = `No such PaymentMethod: '${paymentMethod}'`;
  let listFailures = 0;
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', SIM_WEBHOOK_DELAY_MS: '20' }, {}, {
    // The provider refuses charges of one customer with a text that echoes the payment method (as Stripe does), and
    // its first listing of payments fails retryably with that text: both reach the history as activity failures.
    wrapPayments: (provider) => ({
      ...provider,
      acceptsPaymentMethod: (token) => provider.acceptsPaymentMethod(token),
      getPayment: (id) => provider.getPayment(id),
      refundPayment: (id, key) => provider.refundPayment(id, key),
      voidPayment: (id) => provider.voidPayment(id),
      createPayment: (input) =>
        input.customerId.startsWith('refused-')
          ? Promise.reject(new PaymentProviderError({ code: 'resource_missing', message: providerText, status: 400, retryable: false }))
          : provider.createPayment(input),
      listPayments: (orderId) =>
        listFailures++ === 0 ? Promise.reject(new PaymentProviderError({ code: 'api_error', message: providerText, status: 500, retryable: true })) : provider.listPayments(orderId),
    }),
  });
  let raw: Client;
  beforeAll(async () => {
    // What anyone with Web UI or CLI access holds: a client without the codec.
    raw = new Client({ connection: await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS }), namespace: stack.config.TEMPORAL_NAMESPACE });
  });
  afterAll(async () => {
    await raw?.connection.close();
  });

  const rawHistory = (orderId: string) => raw.workflow.getHandle(`order-${orderId}`).fetchHistory();

  it('an order refused for stock: its history shows only `Encoded failure`', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const email = `stock-${randomUUID().slice(0, 8)}@example.com`;
    const res = await placeOrder(stack, { by: 'admin', email, product: product.id, quantity: 2 });
    expect(res).toMatchObject({ status: 409, body: { error: 'insufficient_stock' } });
    const history = await rawHistory(placedOrderId(res));
    const messages = failureMessages(history);
    expect(messages.length).toBeGreaterThan(0);
    expect(new Set(messages)).toEqual(new Set(['Encoded failure']));
    const seen = texts(history).join('\n');
    expect(seen).not.toContain('not enough stock');
    expect(seen).not.toContain(email);
  });

  it("an order whose provider call failed: no provider text, email or payment-method id, only `Encoded failure`", async () => {
    const product = await stack.createProduct({ stock: 3 });
    const email = `refused-${randomUUID().slice(0, 8)}@example.com`;
    const placed = await placeOrder(stack, { by: 'admin', customer: `refused-${randomUUID()}`, email, product: product.id });
    expect(placed.status).toBe(201);
    const order = await stack.waitForOrder(placed.body.id, (o) => o.status === 'CANCELLED');
    expect(order.failureReason).toBe('payment_refused');
    expect(listFailures).toBeGreaterThan(1); // the compensation's listing failed once, then was retried
    const history = await rawHistory(order.id);
    expect(new Set(failureMessages(history))).toEqual(new Set(['Encoded failure']));
    const seen = texts(history).join('\n');
    for (const secret of [paymentMethod, 'No such PaymentMethod', email]) expect(seen).not.toContain(secret);
  });

  it('a signal sent in clear (without the keys) is refused: the workflow task fails and the order does not move', async () => {
    const product = await stack.createProduct({ stock: 3 });
    const placed = await placeOrder(stack, { by: 'admin', product: product.id, token: 'tok_no_webhook' });
    expect(placed.status).toBe(201);
    const { id, totalCents, currency, payment } = placed.body;
    const handle = raw.workflow.getHandle(`order-${id}`);
    // A forged success for exactly this order's payment, as `temporal workflow signal` would send it.
    await handle.signal('paymentEvent', { eventId: `evt_forged_${randomUUID()}`, type: 'payment.succeeded', paymentId: payment.providerPaymentId, amountCents: totalCents, currency });
    for (let i = 0; ; i++) {
      const history = await handle.fetchHistory();
      if (history.events?.some((e) => e.workflowTaskFailedEventAttributes)) break;
      if (i > 300) throw new Error('the workflow task never failed');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await stack.waitForOrder(id, () => true)).status).toBe('AWAITING_PAYMENT');
    await handle.terminate('test: a saga stuck on a payload sent in clear');
  });
});
