import fc from 'fast-check';
import { uniqueId } from '../harness/env';
import { request } from '../harness/http';
import type { RunningSimulator } from './helpers';
import { paymentBody, postPayment, startSimulator } from './helpers';

/** Bad input is always a 4xx JSON error naming what was wrong; unknown ids are 404; nothing is ever a 5xx. */
describe('simulator input validation', () => {
  let running: RunningSimulator;
  let url: string;
  beforeAll(async () => {
    running = await startSimulator();
    url = running.url;
  });
  afterAll(async () => {
    await running.close();
  });

  const key = () => ({ 'idempotency-key': uniqueId('key') });

  function expectValidationError(res: { status: number; body: any }, path: string) {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  }

  describe('POST /v1/payments', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a float amount', { amountCents: 10.5 }, 'body.amountCents'],
      ['a negative amount', { amountCents: -1 }, 'body.amountCents'],
      ['a zero amount', { amountCents: 0 }, 'body.amountCents'],
      ['an amount as a string', { amountCents: '100' }, 'body.amountCents'],
      ['a lower-case currency', { currency: 'eur' }, 'body.currency'],
      ['a four-letter currency', { currency: 'EURO' }, 'body.currency'],
      ['an unknown token', { token: 'tok_amex' }, 'body.token'],
      ['an empty order id', { orderId: '' }, 'body.orderId'],
      ['metadata that is not an object', { metadata: 'x' }, 'body.metadata'],
    ])('rejects %s', async (_name, override, path) => {
      const body = paymentBody(override);
      expectValidationError(await postPayment(url, body), path);
      expect(running.sim.payments.list(body.orderId as string)).toHaveLength(0);
    });

    it('rejects a missing field and an unknown field', async () => {
      const { customerId: _omit, ...missing } = paymentBody();
      expectValidationError(await postPayment(url, missing), 'body.customerId');
      expectValidationError(await postPayment(url, { ...paymentBody(), amount: 5 }), 'body');
    });

    it('requires the Idempotency-Key header', async () => {
      const res = await request(`${url}/v1/payments`, { method: 'POST', body: paymentBody() });
      expectValidationError(res, 'headers.idempotency-key');
    });

    it('rejects an Idempotency-Key longer than 255 characters', async () => {
      const res = await request(`${url}/v1/payments`, {
        method: 'POST',
        body: paymentBody(),
        headers: { 'idempotency-key': 'k'.repeat(256) },
      });
      expectValidationError(res, 'headers.idempotency-key');
    });

    it('answers malformed JSON with 400 invalid_json, and a missing body with 400 validation_failed', async () => {
      const malformed = await request(`${url}/v1/payments`, {
        method: 'POST',
        rawBody: '{"orderId":',
        headers: { ...key(), 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toBe('invalid_json');
      expectValidationError(await request(`${url}/v1/payments`, { method: 'POST', headers: key() }), 'body');
    });

    it('SIM_PAYMENT_FAIL_RATE=1 answers 503 and creates nothing', async () => {
      const flaky = await startSimulator({ SIM_PAYMENT_FAIL_RATE: '1' });
      try {
        const body = paymentBody();
        const res = await postPayment(flaky.url, body);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ error: 'service_unavailable', message: expect.any(String) });
        expect((await request(`${flaky.url}/v1/payments?orderId=${body.orderId}`)).body.items).toEqual([]);
        expect(flaky.sim.payments.list()).toHaveLength(0);
      } finally {
        await flaky.close();
      }
    });

    it('a retry with the same key after an injected 503 creates the payment once', async () => {
      const rolls = [0.1, 0.9, 0.9];
      const flaky = await startSimulator({ SIM_PAYMENT_FAIL_RATE: '0.5' }, { random: () => rolls.shift() ?? 0.9 });
      try {
        const body = paymentBody();
        const k = uniqueId('key');
        expect((await postPayment(flaky.url, body, k)).status).toBe(503);
        const ok = await postPayment(flaky.url, body, k);
        expect(ok.status).toBe(202);
        const replay = await postPayment(flaky.url, body, k);
        expect(replay.body.id).toBe(ok.body.id);
        expect(flaky.sim.payments.list(body.orderId)).toHaveLength(1);
      } finally {
        await flaky.close();
      }
    });
  });

  describe('accounts', () => {
    it('POST /v1/accounts: 400 without a customer id, 409 already_exists for a second one', async () => {
      expectValidationError(await request(`${url}/v1/accounts`, { method: 'POST', body: {} }), 'body.customerId');
      const customerId = uniqueId('cust');
      const created = await request(`${url}/v1/accounts`, { method: 'POST', body: { customerId } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ customerId, balanceCents: 0 });
      const again = await request(`${url}/v1/accounts`, { method: 'POST', body: { customerId } });
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('already_exists');
    });

    it('deposits: 200 with the new balance; float, negative and zero amounts are 400; unknown account 404', async () => {
      const customerId = uniqueId('cust');
      await request(`${url}/v1/accounts`, { method: 'POST', body: { customerId } });
      const deposit = (amountCents: unknown, id = customerId) =>
        request(`${url}/v1/accounts/${id}/deposits`, { method: 'POST', body: { amountCents } });
      expect((await deposit(250)).body).toEqual({ customerId, balanceCents: 250 });
      expect((await deposit(50)).body).toEqual({ customerId, balanceCents: 300 });
      for (const bad of [1.5, -5, 0, '10', null]) expectValidationError(await deposit(bad), 'body.amountCents');
      const unknown = await deposit(100, uniqueId('nobody'));
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe('not_found');
      expect((await request(`${url}/v1/accounts/${customerId}`)).body.balanceCents).toBe(300);
    });

    it('GET an unknown account is 404 not_found', async () => {
      const res = await request(`${url}/v1/accounts/${uniqueId('nobody')}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'not_found', message: expect.any(String) });
    });
  });

  describe('unknown payment ids', () => {
    it.each([
      ['GET', '/v1/payments/pay_unknown', {}],
      ['POST', '/v1/payments/pay_unknown/void', {}],
      ['POST', '/v1/payments/pay_unknown/refunds', { 'idempotency-key': 'k-unknown' }],
    ])('%s %s is 404 not_found', async (method, path, headers) => {
      const res = await request(url + path, { method, headers });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'not_found' });
    });

    it('a refund without an Idempotency-Key is 400', async () => {
      const res = await request(`${url}/v1/payments/pay_unknown/refunds`, { method: 'POST' });
      expectValidationError(res, 'headers.idempotency-key');
    });
  });

  describe('lists and notifications', () => {
    it('rejects an empty or repeated orderId filter', async () => {
      expectValidationError(await request(`${url}/v1/payments?orderId=`), 'query.orderId');
      expectValidationError(await request(`${url}/v1/payments?orderId=a&orderId=b`), 'query.orderId');
      expectValidationError(await request(`${url}/v1/notifications?orderId=`), 'query.orderId');
    });

    it.each<[string, unknown, string]>([
      ['no recipient', { template: 'order_confirmed', data: {} }, 'body.to'],
      ['a bad template name', { to: 'a@example.com', template: 'Order Confirmed!', data: {} }, 'body.template'],
      ['data that is not an object', { to: 'a@example.com', template: 'order_confirmed', data: [1] }, 'body.data'],
      [
        'a non-string data.orderId',
        { to: 'a@example.com', template: 'order_confirmed', data: { orderId: 7 } },
        'body.data.orderId',
      ],
    ])('POST /v1/notifications rejects %s', async (_name, body, path) => {
      expectValidationError(await request(`${url}/v1/notifications`, { method: 'POST', body, headers: key() }), path);
    });

    it('POST /v1/notifications requires the Idempotency-Key header', async () => {
      const res = await request(`${url}/v1/notifications`, {
        method: 'POST',
        body: { to: 'a', template: 'x', data: {} },
      });
      expectValidationError(res, 'headers.idempotency-key');
    });
  });

  it('unknown routes are a JSON 404; GET /healthz is 200', async () => {
    expect((await request(`${url}/v1/nothing`)).body).toMatchObject({ error: 'not_found' });
    expect(await request(`${url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('never answers 5xx, whatever JSON is posted to whichever endpoint', async () => {
    const endpoints = [
      '/v1/payments',
      '/v1/accounts',
      '/v1/accounts/x/deposits',
      '/v1/notifications',
      '/v1/payments/x/void',
      '/v1/payments/x/refunds',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.jsonValue(),
        fc.option(fc.string({ maxLength: 300 })),
        async (path, body, idemKey) => {
          const headers: Record<string, string> = {};
          // Header values must be ByteStrings for fetch; anything else is a client-side error, not our concern.
          if (idemKey !== null && /^[\x20-\x7e]*$/.test(idemKey)) headers['idempotency-key'] = idemKey;
          const res = await request(url + path, { method: 'POST', body, headers });
          expect(res.status).toBeLessThan(500);
          expect(typeof res.body?.error === 'string' || res.status < 300).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
