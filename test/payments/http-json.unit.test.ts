import { z } from 'zod';
import type { ProviderHttpError } from '../../src/payments/http-json';
import { JsonHttpClient } from '../../src/payments/http-json';
import { PaymentProviderError } from '../../src/payments/payment-provider';
import { loopbackReceiver } from '../harness/loopback-receiver';

const Answer = z.object({ id: z.string() });

/** The provider clients' JSON exchange over kept-alive connections, against a provider on loopback. */
describe('JSON client of the providers', () => {
  const receiver = loopbackReceiver();
  const { connections, answer } = receiver;
  let base: string;
  let client: JsonHttpClient;

  beforeAll(async () => {
    base = await receiver.start();
    client = new JsonHttpClient('provider', { baseUrl: `${base}/`, timeoutMs: 2000 }, (init) => new PaymentProviderError(init));
  });
  beforeEach(() => connections.clear());
  afterAll(() => receiver.stop());

  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (err: ProviderHttpError) => err,
    );

  it('sends JSON and reads the validated answer; requests share a kept-alive connection', async () => {
    const got: { method?: string; url?: string; body: string; type?: string; accept?: string; key?: string }[] = [];
    answer((req, res, body) => {
      got.push({ method: req.method, url: req.url, body, type: req.headers['content-type'], accept: req.headers.accept, key: req.headers['idempotency-key'] as string });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `pay_${got.length}`, extra: 'é' }));
    });
    const first = await client.request({ method: 'POST', path: '/payments', body: { amountCents: 1500, note: 'é' }, headers: { 'idempotency-key': 'k1' }, response: Answer });
    const second = await client.request({ method: 'GET', path: '/payments/pay_1', response: Answer });
    expect([first, second]).toEqual([{ id: 'pay_1' }, { id: 'pay_2' }]);
    expect(got).toEqual([
      { method: 'POST', url: '/payments', body: JSON.stringify({ amountCents: 1500, note: 'é' }), type: 'application/json', accept: 'application/json', key: 'k1' },
      { method: 'GET', url: '/payments/pay_1', body: '', type: undefined, accept: 'application/json', key: undefined },
    ]);
    expect(connections.size).toBe(1);
  });

  it('an answer cut off before its body ended is a retryable network error, not a bad answer', async () => {
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await rejection(client.request({ method: 'GET', path: '/payments/pay_x', response: Answer }));
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect(err).toMatchObject({ code: 'network_error', retryable: true });
  });

  it('the timeout covers the body: a provider that trickles its answer times out', async () => {
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":'); // and never the rest
    });
    const quick = new JsonHttpClient('provider', { baseUrl: base, timeoutMs: 200 }, (init) => new PaymentProviderError(init));
    const err = await rejection(quick.request({ method: 'GET', path: '/payments/pay_x', response: Answer }));
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(err.message).toContain('did not answer within 200 ms');
  });

  it('a kept-alive connection the provider dropped unanswered: the request goes out again on a new one', async () => {
    const served = receiver.dropSecondRequestPerConnection((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"pay_1"}'));
    expect(await client.request({ method: 'GET', path: '/payments/pay_1', response: Answer })).toEqual({ id: 'pay_1' });
    expect(await client.request({ method: 'GET', path: '/payments/pay_1', response: Answer })).toEqual({ id: 'pay_1' });
    expect([...served.values()]).toEqual([2, 1]);
  });

  it('does not follow a redirect: a 3xx is an error answer', async () => {
    let hits = 0;
    answer((_req, res) => {
      hits++;
      res.writeHead(302, { location: '/elsewhere', 'content-type': 'application/json' }).end('{"error":"moved","message":"elsewhere"}');
    });
    const err = await rejection(client.request({ method: 'GET', path: '/payments/pay_x', response: Answer }));
    expect(err).toMatchObject({ code: 'moved', status: 302, retryable: false });
    expect(hits).toBe(1);
  });
});
