import { SimulatorPaymentProvider } from '../../src/payments/simulator-payment-provider';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { forPayment, fundedAccount, paymentBody, postPayment, startSimulator, startWebhookReceiver } from './helpers';

// The simulator's manual capture: authorize, capture (in part: the rest released), void a hold, a hold that lapses.
describe('simulator manual capture', () => {
  let receiver: WebhookReceiver;
  let running: RunningSimulator;
  let url: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    running = await startSimulator({ SIM_WEBHOOK_URL: receiver.url, SIM_AUTH_TTL_MS: '150' });
    url = running.url;
  });
  afterAll(async () => {
    await running.close();
    await receiver.close();
  });

  const getPayment = async (id: string) => (await request(`${url}/v1/payments/${id}`)).body;
  const capture = (id: string, body?: Record<string, unknown>, key = uniqueId('capture')) =>
    request(`${url}/v1/payments/${id}/capture`, { method: 'POST', headers: { 'idempotency-key': key }, ...(body ? { body } : {}) });
  /** A manual-capture payment, once authorized (its payment.authorized webhook received). */
  async function authorizedPayment(overrides: Record<string, unknown> = {}) {
    const res = await postPayment(url, paymentBody({ capture: 'manual', amountCents: 1000, ...overrides }));
    expect(res.status).toBe(202);
    const event = await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.authorized');
    expect(event.data).toMatchObject({ paymentId: res.body.id, amountCents: 1000 });
    return res.body.id as string;
  }

  it('authorizes (payment.authorized, nothing captured); a capture takes the money (payment.succeeded); the same key answers it again', async () => {
    const id = await authorizedPayment();
    expect(await getPayment(id)).toMatchObject({ status: 'authorized', capture: 'manual' });
    expect(await getPayment(id)).not.toHaveProperty('capturedCents');
    const first = await capture(id, undefined, 'cap-key-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'succeeded', capturedCents: 1000 });
    const again = await capture(id, undefined, 'cap-key-1');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toMatchObject({ status: 'succeeded', capturedCents: 1000 });
    await receiver.waitForEvent((e) => forPayment(id)(e) && e.type === 'payment.succeeded');
  });

  it('a partial capture releases the rest: refunds are bounded by what was captured', async () => {
    const customerId = await fundedAccount(url, 5000);
    const id = await authorizedPayment({ token: 'tok_wallet', customerId });
    // The hold debits the wallet when granted.
    expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(4000);
    expect((await capture(id, { amountCents: 600 })).body).toMatchObject({ status: 'succeeded', capturedCents: 600 });
    expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(4400);
    const over = await request(`${url}/v1/payments/${id}/refunds`, { method: 'POST', headers: { 'idempotency-key': uniqueId('r') }, body: { amountCents: 601 } });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ error: 'refund_exceeds_captured', details: { refundableCents: 600 } });
    const all = await request(`${url}/v1/payments/${id}/refunds`, { method: 'POST', headers: { 'idempotency-key': uniqueId('r') } });
    expect(all.body).toMatchObject({ status: 'refunded', refundedCents: 600 });
    expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(5000);
  });

  it('a void releases the hold (voided, nothing taken); a voided payment cannot be captured', async () => {
    const customerId = await fundedAccount(url, 2000);
    const id = await authorizedPayment({ token: 'tok_wallet', customerId });
    const voided = await request(`${url}/v1/payments/${id}/void`, { method: 'POST' });
    expect(voided.body).toMatchObject({ status: 'voided', failureReason: 'voided' });
    expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(2000);
    const refused = await capture(id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'not_capturable' });
  });

  it('more than was authorized is 422; an automatic-capture payment is not capturable', async () => {
    const id = await authorizedPayment();
    expect((await capture(id, { amountCents: 1001 })).body).toMatchObject({ error: 'capture_exceeds_authorized', details: { authorizedCents: 1000 } });
    const automatic = await postPayment(url, paymentBody({ amountCents: 300 }));
    await receiver.waitForEvent((e) => forPayment(automatic.body.id)(e) && e.type === 'payment.succeeded');
    expect((await capture(automatic.body.id)).body).toMatchObject({ error: 'not_capturable' });
  });

  it('tok_auth_expires: the hold lapses after SIM_AUTH_TTL_MS (voided, authorization_expired); a capture is then 409 authorization_expired', async () => {
    const id = await authorizedPayment({ token: 'tok_auth_expires' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await getPayment(id)).toMatchObject({ status: 'voided', failureReason: 'authorization_expired' });
    const refused = await capture(id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'authorization_expired' });
  });

  it('the provider adapter asks for manual capture, captures, and reports a lapsed hold as authorization_expired', async () => {
    const provider = new SimulatorPaymentProvider({ baseUrl: url });
    const body = paymentBody({ amountCents: 1000 });
    const created = await provider.createPayment({ ...body, token: 'tok_visa', capture: 'manual', idempotencyKey: uniqueId('k') });
    await receiver.waitForEvent((e) => forPayment(created.id)(e) && e.type === 'payment.authorized');
    expect(await provider.getPayment(created.id)).toMatchObject({ status: 'authorized' });
    expect(await provider.capturePayment(created.id, { amountCents: 1000, idempotencyKey: `capture:${body.orderId}` })).toMatchObject({ status: 'succeeded', capturedCents: 1000 });

    const lapsing = await provider.createPayment({ ...paymentBody({ amountCents: 1000 }), token: 'tok_auth_expires', capture: 'manual', idempotencyKey: uniqueId('k') });
    await receiver.waitForEvent((e) => forPayment(lapsing.id)(e) && e.type === 'payment.authorized');
    await new Promise((r) => setTimeout(r, 300));
    const failure = await provider.capturePayment(lapsing.id, { amountCents: 1000, idempotencyKey: uniqueId('k') }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PaymentProviderError);
    expect(failure).toMatchObject({ code: 'authorization_expired', retryable: false });
  });
});
