import { createHash, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { RunningStripeMock } from '../../devtools/stripe-mock';
import { startStripeMock } from '../../devtools/stripe-mock';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

/**
 * The whole system with PAYMENT_PROVIDER=stripe: the worker charges through the Stripe adapter at stripe-mock.
 * stripe-mock keeps no state and sends no webhooks, so these tests play Stripe's part: they sign events with the
 * SDK's test helper and post them to POST /webhooks/stripe.
 */
describe('PAYMENT_PROVIDER=stripe: orders paid and refunded through Stripe events', () => {
  let mock: RunningStripeMock;
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  const stack = useStack(() => ({ PAYMENT_PROVIDER: 'stripe', STRIPE_API_BASE: mock.url, PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s' }));
  afterAll(async () => {
    await mock?.stop(); // after the stack's own afterAll (hooks run in the order they are declared)
  });

  const post = (payload: string, signature?: string) =>
    request(`${stack.api}/webhooks/stripe`, {
      rawBody: payload,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(signature ? { 'stripe-signature': signature } : {}) },
    });
  const sign = (payload: string, timestamp?: number, key = stack.config.STRIPE_WEBHOOK_SECRET!) => Stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });
  const send = (event: unknown) => {
    const payload = JSON.stringify(event);
    return post(payload, sign(payload));
  };

  function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${randomUUID().replace(/-/g, '')}`) {
    return { id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } };
  }
  const intent = (id: string, orderId: string, amount: number, currency = 'eur', extra: Record<string, unknown> = {}) => ({
    id,
    object: 'payment_intent',
    amount,
    amount_received: amount,
    currency,
    status: 'succeeded',
    metadata: { orderId, customerId: 'c' },
    ...extra,
  });

  async function awaitingOrder(paymentMethod = 'pm_card_visa', priceCents = 2500) {
    const product = await stack.createProduct({ stock: 5, priceCents });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, token: paymentMethod }, 'AWAITING_PAYMENT');
    return { order, product };
  }

  /** webhooks_received_total{result="not_ours"} as the API's /metrics shows it. */
  async function notOursCount(): Promise<number> {
    const text = (await request(`${stack.api}/metrics`)).body as string;
    const line = text.split('\n').find((l) => l.startsWith('webhooks_received_total{') && l.includes('result="not_ours"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  async function inbox(eventId: string) {
    return stack.orm.em.fork().getConnection().execute<{ outcome: string; deliveries: number; signature_valid: boolean; event_type: string; order_id: string | null }[]>(
      `SELECT outcome, deliveries, signature_valid, event_type, order_id FROM payment_webhook_events WHERE provider = 'stripe' AND event_id = ? ORDER BY id`,
      [eventId],
    );
  }

  it('an order gets a PaymentIntent; payment_intent.succeeded for it (its amount and currency) makes it PAID; a redelivery is answered from the inbox', async () => {
    const { order, product } = await awaitingOrder();
    const paymentId = order.payment.providerPaymentId;
    expect(paymentId).toMatch(/^pi_/);
    const event = stripeEvent('payment_intent.succeeded', intent(paymentId, order.id, 2500));
    expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
    expect(await send(event)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    const paid = await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
    expect(paid.history.filter((h: any) => h.status === 'PAID')).toHaveLength(1);
    expect(await stack.product(product.id)).toMatchObject({ onHand: 4, reserved: 0 });
    expect(await inbox(event.id)).toEqual([{ outcome: 'signalled', deliveries: 2, signature_valid: true, event_type: 'payment_intent.succeeded', order_id: order.id }]);

    // Cancelling the paid order refunds it through the adapter (a Refund at stripe-mock); charge.refunded confirms it.
    const cancelled = await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
    expect(cancelled.status).toBe(200);
    const refunded = await stack.waitForOrder(order.id, (o) => o.status === 'REFUNDED');
    expect(refunded.payment.status).toBe('refunded');
    const chargeRefunded = stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge', amount: 2500, currency: 'eur', refunded: true, payment_intent: paymentId, metadata: {} });
    expect(await send(chargeRefunded)).toMatchObject({ status: 200 });
    expect((await inbox(chargeRefunded.id))[0]).toMatchObject({ order_id: order.id });
  });

  it('bad, wrong-secret and stale signatures are 400 and change nothing; they are kept apart and cannot claim the event id', async () => {
    const { order } = await awaitingOrder();
    const event = stripeEvent('payment_intent.succeeded', intent(order.payment.providerPaymentId, order.id, 2500));
    const payload = JSON.stringify(event);
    const refused = [
      await post(payload),
      await post(payload, sign(payload, undefined, 'whsec_not_the_secret')),
      await post(payload, sign(payload, Math.floor(Date.now() / 1000) - 301)),
      await post(payload.replace('2500', '2501'), sign(payload)),
      await post(payload, 't=abc,v1=zz'),
    ];
    for (const res of refused) expect(res).toMatchObject({ status: 400, body: { error: 'invalid_stripe_signature', message: expect.any(String) } });
    expect((await request(`${stack.api}/orders/${order.id}`, { headers: stack.admin })).body.status).toBe('AWAITING_PAYMENT');
    // Not in the inbox: only time, route, size, digest and reason, in the bounded rejections table.
    expect(await inbox(event.id)).toEqual([]);
    const [{ n }] = await stack.orm.em.fork().getConnection().execute<{ n: string }[]>(
      `SELECT count(*) AS n FROM webhook_rejections WHERE body_sha256 = ? AND route = '/webhooks/stripe' AND reason = 'invalid_stripe_signature'`,
      [createHash('sha256').update(payload).digest('hex')],
    );
    expect(Number(n)).toBeGreaterThanOrEqual(3);

    // The real delivery of that event id is still handled.
    expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
    await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
    await request(`${stack.api}/orders/${order.id}/cancel`, { headers: stack.admin, body: {} });
  });

  it('payment_intent.payment_failed takes the decline path with the decline reason', async () => {
    const { order, product } = await awaitingOrder('pm_card_chargeDeclinedInsufficientFunds');
    const failed = stripeEvent(
      'payment_intent.payment_failed',
      intent(order.payment.providerPaymentId, order.id, 2500, 'eur', { status: 'requires_payment_method', amount_received: 0, last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' } }),
    );
    expect((await send(failed)).status).toBe(200);
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'CANCELLED');
    expect(done.failureReason).toBe('insufficient_funds');
    expect(await stack.product(product.id)).toMatchObject({ onHand: 5, reserved: 0 });
  });

  it('a success for another amount is not accepted as paid', async () => {
    const { order } = await awaitingOrder('pm_card_visa', 1000);
    expect((await send(stripeEvent('payment_intent.succeeded', intent(order.payment.providerPaymentId, order.id, 999)))).status).toBe(200);
    const done = await stack.waitForOrder(order.id, (o) => o.status === 'NEEDS_ATTENTION' || o.status === 'CANCELLED');
    expect(done.status).not.toBe('PAID');
  });

  it('zero-decimal currencies: a JPY order is paid by an event of the same yen amount', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 1500, currency: 'JPY' });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, quantity: 2, token: 'pm_card_jp' }, 'AWAITING_PAYMENT');
    expect(order.totalCents).toBe(3000);
    expect((await send(stripeEvent('payment_intent.succeeded', intent(order.payment.providerPaymentId, order.id, 3000, 'jpy')))).status).toBe(200);
    await stack.waitForOrder(order.id, (o) => o.status === 'PAID');
  });

  it('other event types are acknowledged and stored as ignored; so is an event about an order that is not ours, counted as such', async () => {
    const other = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' });
    expect(await send(other)).toMatchObject({ status: 200, body: { received: true } });
    expect(await inbox(other.id)).toEqual([expect.objectContaining({ outcome: 'ignored', event_type: 'customer.created' })]);

    const partial = stripeEvent('charge.refunded', { id: 'ch_2', object: 'charge', amount: 2500, currency: 'eur', refunded: false, amount_refunded: 100, payment_intent: 'pi_x', metadata: {} });
    expect((await send(partial)).status).toBe(200);
    expect((await inbox(partial.id))[0].outcome).toBe('ignored');

    // Issue #25 finding 9: a 404 had Stripe retry for days (and then disable the endpoint). The saga records its order
    // before it creates the PaymentIntent, so an order id we do not know is someone else's.
    const notOursBefore = await notOursCount();
    const unknownOrder = stripeEvent('payment_intent.succeeded', intent('pi_unknown', randomUUID(), 100));
    expect(await send(unknownOrder)).toMatchObject({ status: 200, body: { received: true } });
    expect(await send(unknownOrder)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await inbox(unknownOrder.id)).toEqual([expect.objectContaining({ outcome: 'ignored', deliveries: 2, order_id: null })]);
    expect(await notOursCount()).toBe(notOursBefore + 1);

    // Not ours at all: no order metadata, and no order of ours has that PaymentIntent.
    const foreign = stripeEvent('payment_intent.succeeded', { ...intent('pi_foreign', '', 100), metadata: {} });
    expect((await send(foreign)).status).toBe(200);
  });

  it('a body that is not JSON is refused before anything else', async () => {
    const payload = 'not json';
    const res = await post(payload, sign(payload));
    expect(res.status).toBe(400);
  });
});
