import { request } from '../harness/http';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { forPayment, paymentBody, postPayment, startSimulator, startWebhookReceiver } from './helpers';

// tok_disputed: the payment succeeds (automatic capture), SIM_DISPUTE_DELAY_MS later the bank disputes it, and it
// stays open until POST /v1/disputes/{id}/close; every change is a signed webhook like the payments'.
describe('simulator disputes', () => {
  let receiver: WebhookReceiver;
  let running: RunningSimulator;
  let url: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    running = await startSimulator({ SIM_WEBHOOK_URL: receiver.url, SIM_DISPUTE_DELAY_MS: '300' });
    url = running.url;
  });
  afterAll(async () => {
    await running.close();
    await receiver.close();
  });

  const dispute = (paymentId: string, type: string) => (e: any) => forPayment(paymentId)(e) && e.type === type;

  it('tok_disputed: payment.succeeded, then dispute.created for what was captured, open until closed', async () => {
    const body = paymentBody({ token: 'tok_disputed', amountCents: 4200 });
    const payment = (await postPayment(url, body)).body;
    await receiver.waitForEvent(dispute(payment.id, 'payment.succeeded'));
    const created = await receiver.waitForEvent(dispute(payment.id, 'dispute.created'));
    expect(created).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'dispute.created',
      createdAt: expect.any(String),
      data: {
        paymentId: payment.id,
        orderId: body.orderId,
        amountCents: 4200,
        currency: 'EUR',
        dispute: { id: expect.stringMatching(/^dp_/), status: 'open', amountCents: 4200, reason: 'fraudulent' },
      },
    });
    const id = created.data.dispute.id;
    expect((await request(`${url}/v1/disputes/${id}`)).body).toMatchObject({ id, status: 'open', paymentId: payment.id });
    expect((await request(`${url}/v1/disputes?orderId=${body.orderId}`)).body.items).toHaveLength(1);

    const closed = await request(`${url}/v1/disputes/${id}/close`, { body: { outcome: 'lost' } });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id, status: 'lost' });
    const event = await receiver.waitForEvent(dispute(payment.id, 'dispute.closed'));
    expect(event.data.dispute).toEqual({ id, status: 'lost', amountCents: 4200, reason: 'fraudulent' });

    // The same close again answers it unchanged; the other outcome is refused.
    expect((await request(`${url}/v1/disputes/${id}/close`, { body: { outcome: 'lost' } })).status).toBe(200);
    const other = await request(`${url}/v1/disputes/${id}/close`, { body: { outcome: 'won' } });
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('dispute_closed');
    expect(receiver.received.filter((r) => r.event?.type === 'dispute.closed' && r.event.data.paymentId === payment.id)).toHaveLength(1);
  });

  it('disputes only what is left after refunds, and only tok_disputed payments', async () => {
    const disputed = (await postPayment(url, paymentBody({ token: 'tok_disputed', amountCents: 1000 }))).body;
    const visa = (await postPayment(url, paymentBody({ token: 'tok_visa', amountCents: 1000 }))).body;
    await receiver.waitForEvent(dispute(disputed.id, 'payment.succeeded'));
    await request(`${url}/v1/payments/${disputed.id}/refunds`, { headers: { 'idempotency-key': `k-${disputed.id}` }, body: { amountCents: 300 } });
    const created = await receiver.waitForEvent(dispute(disputed.id, 'dispute.created'));
    expect(created.data.dispute.amountCents).toBe(700);
    await receiver.waitForEvent(dispute(visa.id, 'payment.succeeded'));
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.some((r) => r.event?.type === 'dispute.created' && r.event.data.paymentId === visa.id)).toBe(false);
  });

  it('under manual capture the dispute opens after the capture, for what was captured', async () => {
    const payment = (await postPayment(url, paymentBody({ token: 'tok_disputed', amountCents: 1000, capture: 'manual' }))).body;
    await receiver.waitForEvent(dispute(payment.id, 'payment.authorized'));
    await new Promise((r) => setTimeout(r, 400)); // longer than SIM_DISPUTE_DELAY_MS: an authorization alone is not disputed
    expect(receiver.received.some((r) => r.event?.type === 'dispute.created' && r.event.data.paymentId === payment.id)).toBe(false);
    const captured = await request(`${url}/v1/payments/${payment.id}/capture`, { headers: { 'idempotency-key': `c-${payment.id}` }, body: { amountCents: 600 } });
    expect(captured.status).toBe(200);
    const created = await receiver.waitForEvent(dispute(payment.id, 'dispute.created'));
    expect(created.data.dispute).toMatchObject({ status: 'open', amountCents: 600 });
  });

  it('an unknown dispute is 404, a bad outcome 400', async () => {
    expect((await request(`${url}/v1/disputes/dp_nope/close`, { body: { outcome: 'won' } })).status).toBe(404);
    expect((await request(`${url}/v1/disputes/dp_nope/close`, { body: { outcome: 'maybe' } })).status).toBe(400);
  });
});
