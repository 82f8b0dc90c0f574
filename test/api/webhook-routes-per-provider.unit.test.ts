import Stripe from 'stripe';
import { request } from '../harness/http';
import { PRODUCTION_SAFE_ENV } from '../harness/production-env';
import { serveAppWithoutIo } from './app-without-io';

/**
 * Issue #25, finding 1: a provider's webhook route exists only when that provider is configured. With the simulator
 * as provider, a Stripe event signed with the public development secret used to reach the saga.
 */
const stripeEvent = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', created: 1, data: { object: {} } });
const signedWithShippedSecret = Stripe.webhooks.generateTestHeaderString({ payload: stripeEvent, secret: 'whsec_dev_stripe_secret_change_me' });

describe.each([
  ['development', {}],
  ['production', PRODUCTION_SAFE_ENV],
])('%s, PAYMENT_PROVIDER=simulator', (_name, env) => {
  let server: Awaited<ReturnType<typeof serveAppWithoutIo>>;
  beforeAll(async () => (server = await serveAppWithoutIo({ ...env, PAYMENT_PROVIDER: 'simulator' })));
  afterAll(() => server.close());

  it('POST /webhooks/stripe is 404 not_found, even signed with the shipped secret', async () => {
    const res = await request(`${server.url}/webhooks/stripe`, {
      method: 'POST',
      rawBody: stripeEvent,
      headers: { 'content-type': 'application/json', 'stripe-signature': signedWithShippedSecret },
    });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 404, error: 'not_found' });
  });
});

describe('PAYMENT_PROVIDER=stripe', () => {
  let server: Awaited<ReturnType<typeof serveAppWithoutIo>>;
  beforeAll(async () => (server = await serveAppWithoutIo({ PAYMENT_PROVIDER: 'stripe' })));
  afterAll(() => server.close());

  it("POST /webhooks/payments (the simulator's route) is 404 not_found", async () => {
    const res = await request(`${server.url}/webhooks/payments`, { body: { id: 'evt_1', type: 'payment.succeeded' } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 404, error: 'not_found' });
  });
});
