import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { RunningStripeMock } from '../../devtools/stripe-mock';
import { startStripeMock } from '../../devtools/stripe-mock';
import { request } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';

/**
 * Disputes through Stripe: the worker charges at stripe-mock, and these tests play Stripe's part, posting
 * `charge.dispute.created` / `charge.dispute.closed` signed with the SDK's test helper to POST /webhooks/stripe.
 * A dispute names the PaymentIntent, not the order: the service finds the order by its payment.
 */
describe('PAYMENT_PROVIDER=stripe: charge.dispute.* events', () => {
  let mock: RunningStripeMock;
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  const stack = useStack(() => ({ PAYMENT_PROVIDER: 'stripe', STRIPE_API_BASE: mock.url, PAYMENT_TIMEOUT: '60s', CANCEL_WINDOW: '60s' }));
  afterAll(async () => {
    await mock?.stop();
  });

  const send = (event: unknown) => {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.config.STRIPE_WEBHOOK_SECRET! });
    return request(`${stack.api}/webhooks/stripe`, {
      rawBody: payload,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
    });
  };
  const stripeEvent = (type: string, object: Record<string, unknown>) => ({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });

  it('a paid order: dispute created → DISPUTED (a redelivery is a duplicate); closed lost → CHARGED_BACK with the amount refunded', async () => {
    const product = await stack.createProduct({ stock: 5, priceCents: 2500 });
    const order = await acceptedOrder(stack, { by: 'admin', product: product.id, token: 'pm_card_visa' }, 'AWAITING_PAYMENT');
    const paymentId = order.payment.providerPaymentId;
    await send(stripeEvent('payment_intent.succeeded', { id: paymentId, object: 'payment_intent', amount: 2500, amount_received: 2500, currency: 'eur', status: 'succeeded', metadata: { orderId: order.id } }));
    await stack.waitForOrder(order.id, (o) => o.status === 'PAID');

    const dispute = { id: `dp_${randomUUID().replace(/-/g, '')}`, object: 'dispute', amount: 2500, currency: 'eur', charge: 'ch_1', payment_intent: paymentId, reason: 'product_not_received', status: 'needs_response', metadata: {} };
    const created = stripeEvent('charge.dispute.created', dispute);
    expect(await send(created)).toMatchObject({ status: 200, body: { received: true } });
    expect(await send(created)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    const disputed = await stack.waitForOrder(order.id, (o) => o.status === 'DISPUTED');
    expect(disputed.dispute).toEqual({ id: dispute.id, status: 'open', amountCents: 2500, reason: 'product_not_received' });

    expect((await send(stripeEvent('charge.dispute.closed', { ...dispute, status: 'lost' }))).status).toBe(200);
    const lost = await stack.waitForOrder(order.id, (o) => o.status === 'CHARGED_BACK');
    expect(lost).toMatchObject({ dispute: { status: 'lost' }, payment: { status: 'refunded', capturedCents: 2500, refundedCents: 2500 } });
  });

  it('a dispute of a PaymentIntent that is not ours is acknowledged and ignored', async () => {
    const foreign = stripeEvent('charge.dispute.created', { id: 'dp_foreign', object: 'dispute', amount: 100, currency: 'eur', charge: 'ch_x', payment_intent: 'pi_not_ours', reason: 'fraudulent', status: 'needs_response', metadata: {} });
    expect(await send(foreign)).toMatchObject({ status: 200, body: { received: true } });
  });
});
