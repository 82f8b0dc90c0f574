import { createPaymentBody } from '../../src/simulator/schemas';
import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator, WebhookReceiver } from './helpers';
import { forPayment, fundedAccount, paymentBody, postPayment, startSimulator, startWebhookReceiver } from './helpers';

describe('simulator payments', () => {
  let receiver: WebhookReceiver;
  let running: RunningSimulator;
  let url: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    running = await startSimulator({ SIM_WEBHOOK_URL: receiver.url });
    url = running.url;
  });
  afterAll(async () => {
    await running.close();
    await receiver.close();
  });

  const getPayment = async (id: string) => (await request(`${url}/v1/payments/${id}`)).body;

  describe('outcome by token', () => {
    it('tok_visa: 202 pending, then succeeded with a payment.succeeded webhook', async () => {
      const body = paymentBody({ token: 'tok_visa', amountCents: 1234, currency: 'USD' });
      const res = await postPayment(url, body);
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/payments/${res.body.id}`);
      expect(res.body).toMatchObject({ ...body, status: 'pending', id: expect.stringMatching(/^pay_/) });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toEqual({
        id: expect.stringMatching(/^evt_/),
        type: 'payment.succeeded',
        createdAt: expect.any(String),
        data: { paymentId: res.body.id, orderId: body.orderId, amountCents: 1234, currency: 'USD' },
      });
      expect(await getPayment(res.body.id)).toMatchObject({ status: 'succeeded' });
    });

    it('tok_declined: failed (card_declined) with a payment.failed webhook', async () => {
      const res = await postPayment(url, paymentBody({ token: 'tok_declined', amountCents: 500 }));
      expect(res.status).toBe(202);
      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toMatchObject({
        type: 'payment.failed',
        data: { reason: 'card_declined', amountCents: 500, currency: 'EUR' },
      });
      expect(await getPayment(res.body.id)).toMatchObject({ status: 'failed', failureReason: 'card_declined' });
    });

    it('tok_wallet: debits the account when the balance covers the amount', async () => {
      const customerId = await fundedAccount(url, 1000);
      const res = await postPayment(url, paymentBody({ token: 'tok_wallet', customerId, amountCents: 600 }));
      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toMatchObject({ type: 'payment.succeeded', data: { amountCents: 600 } });
      expect((await request(`${url}/v1/accounts/${customerId}`)).body).toEqual({ customerId, balanceCents: 400 });
    });

    it('tok_wallet: failed (insufficient_funds) and nothing debited when the balance is short', async () => {
      const customerId = await fundedAccount(url, 100);
      const res = await postPayment(url, paymentBody({ token: 'tok_wallet', customerId, amountCents: 101 }));
      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toMatchObject({ type: 'payment.failed', data: { reason: 'insufficient_funds', amountCents: 101 } });
      expect(await getPayment(res.body.id)).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds' });
      expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(100);
    });

    it('tok_wallet: failed (insufficient_funds) when the customer has no account', async () => {
      const res = await postPayment(url, paymentBody({ token: 'tok_wallet' }));
      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toMatchObject({ type: 'payment.failed', data: { reason: 'insufficient_funds' } });
    });

    it('tok_no_webhook: stays pending and never calls back, while a later payment settles', async () => {
      const silent = await postPayment(url, paymentBody({ token: 'tok_no_webhook' }));
      expect(silent.status).toBe(202);
      const later = await postPayment(url, paymentBody({ token: 'tok_visa' }));
      await receiver.waitForEvent(forPayment(later.body.id));
      await running.sim.webhooks.idle();

      expect(await getPayment(silent.body.id)).toMatchObject({ status: 'pending' });
      expect(receiver.received.filter((r) => forPayment(silent.body.id)(r.event))).toHaveLength(0);
      // Even a void is not reported for it: this provider never calls back about the payment.
      expect((await request(`${url}/v1/payments/${silent.body.id}/void`, { method: 'POST' })).body.status).toBe(
        'voided',
      );
      await running.sim.webhooks.idle();
      expect(receiver.received.filter((r) => forPayment(silent.body.id)(r.event))).toHaveLength(0);
    });

    it('tok_lost_webhook: succeeds without a payment.succeeded webhook; its refund is still reported', async () => {
      const lost = await postPayment(url, paymentBody({ token: 'tok_lost_webhook', amountCents: 700 }));
      expect(lost.status).toBe(202);
      const later = await postPayment(url, paymentBody({ token: 'tok_visa' }));
      await receiver.waitForEvent(forPayment(later.body.id));
      await running.sim.webhooks.idle();

      expect(await getPayment(lost.body.id)).toMatchObject({ status: 'succeeded', amountCents: 700 });
      expect(receiver.received.filter((r) => forPayment(lost.body.id)(r.event))).toHaveLength(0);

      const refund = await request(`${url}/v1/payments/${lost.body.id}/refunds`, {
        method: 'POST',
        headers: { 'idempotency-key': uniqueId('refund') },
      });
      expect(refund.body.status).toBe('refunded');
      const event = await receiver.waitForEvent(forPayment(lost.body.id));
      expect(event).toMatchObject({ type: 'payment.refunded', data: { amountCents: 700 } });
    });

    it('tok_slow: is still pending after a faster payment has settled (SIM_SLOW_MS is 60 s here)', async () => {
      const slow = await postPayment(url, paymentBody({ token: 'tok_slow' }));
      const fast = await postPayment(url, paymentBody({ token: 'tok_visa' }));
      await receiver.waitForEvent(forPayment(fast.body.id));
      expect(await getPayment(slow.body.id)).toMatchObject({ status: 'pending' });
    });
  });

  describe('tok_slow with a short SIM_SLOW_MS', () => {
    it('calls back (succeeded) after SIM_SLOW_MS', async () => {
      const quick = await startSimulator({ SIM_WEBHOOK_URL: receiver.url, SIM_SLOW_MS: '30' });
      try {
        const res = await postPayment(quick.url, paymentBody({ token: 'tok_slow' }));
        const event = await receiver.waitForEvent(forPayment(res.body.id));
        expect(event.type).toBe('payment.succeeded');
      } finally {
        await quick.close();
      }
    });
  });

  describe('idempotency', () => {
    it('the same key answers the same payment, marked as a replay, and charges once', async () => {
      const key = uniqueId('key');
      const body = paymentBody({ token: 'tok_visa' });
      const first = await postPayment(url, body, key);
      const second = await postPayment(url, { ...body }, key);
      expect(first.status).toBe(202);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body.id).toBe(first.body.id);

      await receiver.waitForEvent(forPayment(first.body.id));
      await running.sim.webhooks.idle();
      const listed = await request(`${url}/v1/payments?orderId=${body.orderId}`);
      expect(listed.body.items).toHaveLength(1);
      expect(receiver.received.filter((r) => forPayment(first.body.id)(r.event))).toHaveLength(1);
    });

    it('the same body with its keys in another order is the same request', async () => {
      const key = uniqueId('key');
      const body = paymentBody();
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const first = await postPayment(url, body, key);
      const second = await postPayment(url, reordered, key);
      expect(second.body.id).toBe(first.body.id);
    });

    it('20 concurrent requests with one key create one payment', async () => {
      const key = uniqueId('key');
      const body = paymentBody();
      const answers = await Promise.all(Array.from({ length: 20 }, () => postPayment(url, body, key)));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.every((a) => a.status === 202)).toBe(true);
      expect((await request(`${url}/v1/payments?orderId=${body.orderId}`)).body.items).toHaveLength(1);
    });

    it('the same key with a different body is 409 idempotency_key_reused and creates nothing', async () => {
      const key = uniqueId('key');
      const body = paymentBody();
      await postPayment(url, body, key);
      const other = await postPayment(url, { ...body, amountCents: body.amountCents + 1 }, key);
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ error: 'idempotency_key_reused', message: expect.any(String) });
      expect((await request(`${url}/v1/payments?orderId=${body.orderId}`)).body.items).toHaveLength(1);
    });
  });

  describe('void', () => {
    it('a pending payment becomes voided, reported as payment.failed (voided)', async () => {
      const res = await postPayment(url, paymentBody({ token: 'tok_slow', amountCents: 700 }));
      const voided = await request(`${url}/v1/payments/${res.body.id}/void`, { method: 'POST' });
      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ id: res.body.id, status: 'voided', failureReason: 'voided' });

      const event = await receiver.waitForEvent(forPayment(res.body.id));
      expect(event).toMatchObject({ type: 'payment.failed', data: { reason: 'voided', amountCents: 700 } });

      const again = await request(`${url}/v1/payments/${res.body.id}/void`, { method: 'POST' });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('voided');
      await running.sim.webhooks.idle();
      expect(receiver.received.filter((r) => forPayment(res.body.id)(r.event))).toHaveLength(1);
    });

    it('a void before the outcome wins: no success, no debit, only payment.failed (voided)', async () => {
      const customerId = await fundedAccount(url, 5000);
      // Created and voided in one synchronous step, so the void is certainly before the outcome is due.
      const { payment } = running.sim.payments.create(
        createPaymentBody.parse(paymentBody({ token: 'tok_wallet', customerId, amountCents: 3000 })),
        uniqueId('key'),
      );
      running.sim.payments.void(payment.id);

      // The void's webhook is due no earlier than the (cancelled) settlement was.
      const event = await receiver.waitForEvent(forPayment(payment.id));
      await running.sim.webhooks.idle();
      expect(event).toMatchObject({ type: 'payment.failed', data: { reason: 'voided' } });
      expect(receiver.received.filter((r) => forPayment(payment.id)(r.event))).toHaveLength(1);
      expect(await getPayment(payment.id)).toMatchObject({ status: 'voided' });
      expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(5000);
    });

    it('a succeeded payment is 409 not_voidable', async () => {
      const res = await postPayment(url, paymentBody({ token: 'tok_visa' }));
      await receiver.waitForEvent(forPayment(res.body.id));
      const voided = await request(`${url}/v1/payments/${res.body.id}/void`, { method: 'POST' });
      expect(voided.status).toBe(409);
      expect(voided.body).toMatchObject({ error: 'not_voidable' });
      expect(await getPayment(res.body.id)).toMatchObject({ status: 'succeeded' });
    });

    it('a failed payment is answered unchanged (it can never take money either)', async () => {
      const res = await postPayment(url, paymentBody({ token: 'tok_declined' }));
      await receiver.waitForEvent(forPayment(res.body.id));
      const voided = await request(`${url}/v1/payments/${res.body.id}/void`, { method: 'POST' });
      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ status: 'failed', failureReason: 'card_declined' });
    });
  });

  describe('refunds', () => {
    const refund = (id: string, key: string) =>
      request(`${url}/v1/payments/${id}/refunds`, { method: 'POST', headers: { 'idempotency-key': key } });

    it('refunds a succeeded wallet payment once: refunded, wallet credited, payment.refunded webhook', async () => {
      const customerId = await fundedAccount(url, 1000);
      const res = await postPayment(url, paymentBody({ token: 'tok_wallet', customerId, amountCents: 600 }));
      await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.succeeded');
      const balance = async () => (await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents;
      expect(await balance()).toBe(400);

      const key = uniqueId('refund');
      const first = await refund(res.body.id, key);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: res.body.id, status: 'refunded' });
      expect(await balance()).toBe(1000);

      const replay = await refund(res.body.id, key);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.status).toBe('refunded');
      const otherKey = await refund(res.body.id, uniqueId('refund'));
      expect(otherKey.status).toBe(200);
      expect(otherKey.body.status).toBe('refunded');
      expect(await balance()).toBe(1000);

      const event = await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.refunded');
      expect(event.data).toMatchObject({ amountCents: 600, currency: 'EUR' });
      await running.sim.webhooks.idle();
      const refundedEvents = receiver.received.filter(
        (r) => forPayment(res.body.id)(r.event) && r.event.type === 'payment.refunded',
      );
      expect(refundedEvents).toHaveLength(1);
    });

    it('refunds in parts: each its own refund and webhook; the same key answers the same refund; more than is left is 422; the rest → refunded', async () => {
      const customerId = await fundedAccount(url, 1000);
      const res = await postPayment(url, paymentBody({ token: 'tok_wallet', customerId, amountCents: 600 }));
      await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.succeeded');
      const balance = async () => (await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents;
      const part = (key: string, amountCents: number) =>
        request(`${url}/v1/payments/${res.body.id}/refunds`, { method: 'POST', headers: { 'idempotency-key': key }, body: { amountCents } });

      const key = uniqueId('refund');
      const first = await part(key, 250);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'succeeded', refundedCents: 250, refund: { id: expect.stringMatching(/^re_/), amountCents: 250 } });
      expect(await balance()).toBe(650);
      const again = await part(key, 250);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.refund).toEqual(first.body.refund);
      expect(await balance()).toBe(650);
      expect((await part(key, 300)).body.error).toBe('idempotency_key_reused');

      const tooMuch = await part(uniqueId('refund'), 351);
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body).toMatchObject({ error: 'refund_exceeds_captured', details: { refundableCents: 350 } });

      const partial = await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.partially_refunded');
      expect(partial.data).toMatchObject({ amountCents: 600, refundId: first.body.refund.id, refundAmountCents: 250, refundedCents: 250 });

      const rest = await refund(res.body.id, uniqueId('refund'));
      expect(rest.body).toMatchObject({ status: 'refunded', refundedCents: 600, refund: { amountCents: 350 } });
      expect(rest.body.refunds).toHaveLength(2);
      expect(await balance()).toBe(1000);
      const whole = await receiver.waitForEvent((e) => forPayment(res.body.id)(e) && e.type === 'payment.refunded');
      expect(whole.data).toMatchObject({ refundId: rest.body.refund.id, refundAmountCents: 350, refundedCents: 600 });
    });

    it('a key already used for another payment is 409 idempotency_key_reused', async () => {
      const a = await postPayment(url, paymentBody());
      const b = await postPayment(url, paymentBody());
      await receiver.waitForEvent(forPayment(a.body.id));
      await receiver.waitForEvent(forPayment(b.body.id));
      const key = uniqueId('refund');
      expect((await refund(a.body.id, key)).status).toBe(200);
      const reused = await refund(b.body.id, key);
      expect(reused.status).toBe(409);
      expect(reused.body.error).toBe('idempotency_key_reused');
      expect(await getPayment(b.body.id)).toMatchObject({ status: 'succeeded' });
    });

    it('pending, failed and voided payments are 409 not_refundable', async () => {
      const pending = await postPayment(url, paymentBody({ token: 'tok_no_webhook' }));
      const declined = await postPayment(url, paymentBody({ token: 'tok_declined' }));
      const voided = await postPayment(url, paymentBody({ token: 'tok_slow' }));
      await request(`${url}/v1/payments/${voided.body.id}/void`, { method: 'POST' });
      await receiver.waitForEvent(forPayment(declined.body.id));
      for (const [id, status] of [
        [pending.body.id, 'pending'],
        [declined.body.id, 'failed'],
        [voided.body.id, 'voided'],
      ]) {
        const res = await refund(id, uniqueId('refund'));
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ error: 'not_refundable' });
        expect(await getPayment(id)).toMatchObject({ status });
      }
    });
  });

  describe('listing', () => {
    it("GET /v1/payments?orderId= lists that order's payments only", async () => {
      const orderId = uniqueId('order');
      const a = await postPayment(url, paymentBody({ orderId }));
      const b = await postPayment(url, paymentBody({ orderId, token: 'tok_declined' }));
      await postPayment(url, paymentBody());
      const listed = await request(`${url}/v1/payments?orderId=${orderId}`);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((p: any) => p.id).sort()).toEqual([a.body.id, b.body.id].sort());
    });
  });
});
