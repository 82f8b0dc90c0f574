import { createHash, randomUUID } from 'node:crypto';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import type { KeepAliveClient } from '../../src/keep-alive-client';
import { createKeepAliveClient } from '../../src/keep-alive-client';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import type { Stack } from '../harness/stack';
import { useStack } from '../harness/stack';

const now = () => Math.floor(Date.now() / 1000);

function event(orderId: string, paymentId: string, amountCents: number, type = 'payment.succeeded', currency = 'EUR') {
  return { id: `evt_${randomUUID()}`, type, createdAt: new Date().toISOString(), data: { paymentId, orderId, amountCents, currency } };
}

/** A one-unit order of a new product (5 in stock) by a new customer, placed by support staff: answered 201. */
async function placeOne(stack: Stack, token: string, priceCents: number) {
  const product = await stack.createProduct({ stock: 5, priceCents });
  return { order: await acceptedOrder(stack, { by: 'admin', product: product.id, token }), product };
}

describe('POST /webhooks/payments', () => {
  const stack = useStack({ PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' });

  const post = (raw: string, signature?: string, contentType = 'application/json') =>
    request(`${stack.api}/webhooks/payments`, {
      rawBody: raw,
      headers: { 'content-type': contentType, ...(signature ? { 'payment-signature': signature } : {}) },
      method: 'POST',
    });
  const signed = (body: unknown, t = now(), key = stack.config.PAYMENT_WEBHOOK_SECRET) => {
    const raw = JSON.stringify(body);
    return { raw, signature: signWebhookPayload(key, raw, t) };
  };

  const awaitingOrder = (token = 'tok_no_webhook') => placeOne(stack, token, 1500);

  it('401 invalid_signature for a missing, wrong-secret, stale or tampered signature', async () => {
    const { order } = await awaitingOrder();
    const body = event(order.id, order.payment.providerPaymentId, 1500);
    const { raw, signature } = signed(body);
    const cases = [
      await post(raw),
      await post(raw, signed(body, now(), 'whsec_some_other_secret').signature),
      await post(raw, signed(body, now() - 301).signature),
      await post(raw.replace('1500', '1501'), signature),
      await post(raw, 't=abc,v1=zz'),
    ];
    for (const res of cases) expect(res).toMatchObject({ status: 401, body: { error: 'invalid_signature', message: expect.any(String) } });
    // Never in the inbox (a forged delivery cannot take the real event's id, nor have its body stored): the bounded
    // rejections table keeps their time, size, digest and reason.
    expect(await inbox(body.id)).toEqual([]);
    const digest = createHash('sha256').update(raw).digest('hex');
    const [{ n }] = await stack.orm.em.fork().getConnection().execute<{ n: string }[]>(
      `SELECT count(*) AS n FROM webhook_rejections WHERE body_sha256 = ? AND route = '/webhooks/payments' AND reason = 'invalid_signature' AND size_bytes = ?`,
      [digest, Buffer.byteLength(raw)],
    );
    expect(Number(n)).toBeGreaterThanOrEqual(3);
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('AWAITING_PAYMENT');
    await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
  });

  const inbox = (eventId: string) =>
    stack.orm.em.fork().getConnection().execute<{ outcome: string; deliveries: number; signature_valid: boolean; raw: string }[]>(
      `SELECT outcome, deliveries, signature_valid, convert_from(raw_body, 'UTF8') AS raw FROM payment_webhook_events WHERE provider = 'simulator' AND event_id = ? ORDER BY id`,
      [eventId],
    );

  it('400 for a correctly signed but malformed body; 404 for an unknown order; an unknown event type is acknowledged and ignored', async () => {
    const malformed = signed({ id: 'evt_1', type: 'payment.succeeded', data: {} });
    expect((await post(malformed.raw, malformed.signature)).status).toBe(400);
    const mistyped = signed({ id: `evt_${randomUUID()}`, type: 1, data: {} });
    expect((await post(mistyped.raw, mistyped.signature)).status).toBe(400);
    const unknownType = { id: `evt_${randomUUID()}`, type: 'payment.exploded', data: {} };
    const exploded = signed(unknownType);
    expect(await post(exploded.raw, exploded.signature)).toMatchObject({ status: 200, body: { received: true } });
    expect(await inbox(unknownType.id)).toEqual([expect.objectContaining({ outcome: 'ignored', signature_valid: true, raw: exploded.raw })]);
    const notJson = 'not json';
    expect((await post(notJson, signWebhookPayload(stack.config.PAYMENT_WEBHOOK_SECRET, notJson, now()))).status).toBe(400);
    const unknownOrder = event(randomUUID(), 'pay_x', 100);
    const unknown = signed(unknownOrder);
    const res = await post(unknown.raw, unknown.signature);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
    // Kept, and not answered from the inbox: the provider's retry is handled afresh (the order may exist by then).
    expect((await post(unknown.raw, unknown.signature)).status).toBe(404);
    expect(await inbox(unknownOrder.id)).toEqual([expect.objectContaining({ outcome: 'order_not_found', deliveries: 2 })]);
  });

  it('accepts an event, and every duplicate of it, with 200 {received: true}; the order is paid once', async () => {
    const { order, product } = await awaitingOrder();
    const success = signed(event(order.id, order.payment.providerPaymentId, 1500));
    const first = await post(success.raw, success.signature);
    const duplicate = await post(success.raw, success.signature);
    expect(first).toMatchObject({ status: 200, body: { received: true } });
    expect(duplicate).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await inbox(JSON.parse(success.raw).id)).toEqual([expect.objectContaining({ outcome: 'signalled', deliveries: 2 })]);
    const paid = await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
    expect(paid.history.filter((h: any) => h.status === 'PAID')).toHaveLength(1);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('a success for the wrong amount is not accepted as paid: compensated and NEEDS_ATTENTION', async () => {
    const { order, product } = await awaitingOrder();
    const wrong = signed(event(order.id, order.payment.providerPaymentId, 1));
    expect((await post(wrong.raw, wrong.signature)).status).toBe(200);
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'NEEDS_ATTENTION');
    expect(done.failureReason).toBe('payment_amount_mismatch');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
  });
});

describe('late payment successes', () => {
  let blocked = true;
  // The simulator's webhook deliveries fail while `blocked`, as if our API were unreachable.
  const http = createKeepAliveClient(Infinity);
  const flaky: Pick<KeepAliveClient, 'send'> = { send: (url, request) => (blocked ? Promise.reject(new Error('connection refused')) : http.send(url, request)) };
  const stack = useStack({ PAYMENT_TIMEOUT: '1500ms', CANCEL_WINDOW: '60s', SIM_WEBHOOK_DELAY_MS: '20' }, { http: flaky, webhookMaxAttempts: 100, webhookRetryMaxMs: 200 });
  afterAll(() => http.close());

  const placeVisa = (token = 'tok_visa') => placeOne(stack, token, 800);

  it('a webhook delayed past PAYMENT_TIMEOUT: the saga asks the provider, finds the charge succeeded, and carries on as paid', async () => {
    blocked = true;
    const { order, product } = await placeVisa();
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
    expect(done).toMatchObject({ payment: { status: 'succeeded' } });
    blocked = false; // the provider's retries now get through, late, and change nothing
    await stack.simulator.webhooks.idle();
    const payment = await request(`${stack.simulatorUrl}/v1/payments/${order.payment.providerPaymentId}`);
    expect(payment.body.status).toBe('succeeded');
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('PAID');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('a decline whose webhook is lost: the provider says failed, the order is cancelled with its reason', async () => {
    blocked = true;
    const { order, product } = await placeVisa('tok_declined');
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'CANCELLED');
    expect(done).toMatchObject({ failureReason: 'card_declined', payment: { status: 'failed' } });
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
    blocked = false;
    await stack.simulator.webhooks.idle();
  });

  it('a success for a closed, cancelled order starts refund-{paymentId} once; the customer is not left charged', async () => {
    blocked = true;
    const { order } = await placeVisa('tok_declined');
    await stack.waitForOrder(order.id, (o) => o.status === 'CANCELLED');
    blocked = false;
    await stack.simulator.webhooks.idle();
    // A second charge for the same order turns up at the provider (a double submit on its side): it succeeds…
    const stray = await request(`${stack.simulatorUrl}/v1/payments`, {
      headers: { 'idempotency-key': `stray-${randomUUID()}` },
      body: { orderId: order.id, customerId: order.customerId, amountCents: 800, currency: 'EUR', token: 'tok_visa' },
    });
    expect(stray.status).toBe(202);
    // …and its success webhook reaches the API after the saga has closed.
    await stack.simulator.webhooks.idle();
    for (let i = 0; i < 100; i++) {
      const p = await request(`${stack.simulatorUrl}/v1/payments/${stray.body.id}`);
      if (p.body.status === 'refunded') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await request(`${stack.simulatorUrl}/v1/payments/${stray.body.id}`)).body.status).toBe('refunded');
    const refund = stack.temporal.workflow.getHandle(`refund-${stray.body.id}`);
    await refund.result(); // the payment shows refunded inside the activity, a moment before the workflow closes
    expect((await refund.describe()).status.name).toBe('COMPLETED');
    // Delivering that success again does not start another refund.
    const again = await stack.postWebhook(event(order.id, stray.body.id, 800));
    expect(again.status).toBe(200);
    const refunds = stack.temporal.workflow.list({ query: `WorkflowId = "refund-${stray.body.id}"` });
    let runs = 0;
    for await (const _ of refunds) runs++;
    expect(runs).toBe(1);
  });
});
