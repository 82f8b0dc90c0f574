import { Writable } from 'node:stream';
import pino from 'pino';
import { createApiMetrics } from '../../src/metrics/api-metrics';
import { signWebhookPayload } from '../../src/wire/webhook-signature';
import type { InProcessApi } from '../harness/api';
import { inProcessApi } from '../harness/api';
import { testConfig } from '../harness/env';
import { customerAuth } from '../harness/tokens';
import { metricValue } from './metrics-text';

// X-Request-Id, the access log and the API's Prometheus metrics, with the app called in-process. None of these
// requests reaches Temporal; the product lookups reach the test database.
describe('API request telemetry', () => {
  const config = testConfig();
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { service: 'api' } }, sink);
  const metrics = createApiMetrics();
  let api: InProcessApi;

  beforeAll(async () => {
    api = await inProcessApi({ config, logger, metrics });
  });
  afterAll(async () => {
    await api?.close();
  });

  const unknownProduct = '00000000-0000-4000-8000-00000000abcd';

  it('echoes a sane X-Request-Id, and replaces a missing or unsafe one with a UUID', async () => {
    const given = await api.request('/healthz', { headers: { 'x-request-id': 'client-42.retry:1' } });
    expect(given.headers.get('x-request-id')).toBe('client-42.retry:1');

    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect((await api.request('/healthz')).headers.get('x-request-id')).toMatch(uuid);
    for (const unsafe of ['two words', 'x'.repeat(129), '"quoted"', 'a;b=c', '<script>', '%0Aforged']) {
      const res = await api.request('/healthz', { headers: { 'x-request-id': unsafe } });
      expect(res.headers.get('x-request-id')).toMatch(uuid);
    }
    // Errors carry it too.
    const notFound = await api.request('/nope', { headers: { 'x-request-id': 'abc' } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toBe('abc');
  });

  it('writes one access log line per request: method, path, route pattern, status, duration, request id', async () => {
    lines.length = 0;
    await api.request(`/products/${unknownProduct}`, { headers: { 'x-request-id': 'trace-me' } });
    const access = lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      service: 'api',
      requestId: 'trace-me',
      method: 'GET',
      path: `/products/${unknownProduct}`,
      route: '/products/:id',
      status: 404,
      level: 30,
    });
    expect(typeof access[0].durationMs).toBe('number');
  });

  it('names the order on every log line of a request about one (orderId and workflowId)', async () => {
    const orderId = '00000000-0000-4000-8000-0000000000ee';
    lines.length = 0;
    await api.request(`/orders/${orderId}`, { headers: { ...(await customerAuth(config, 'c1')), 'x-request-id': 'about-an-order' } });
    const body = JSON.stringify({
      id: 'evt_log',
      type: 'payment.failed',
      createdAt: new Date().toISOString(),
      data: { paymentId: 'pay_1', orderId, amountCents: 100, currency: 'EUR' },
    });
    const signature = signWebhookPayload(config.PAYMENT_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000));
    const webhook = await api.request('/webhooks/payments', {
      rawBody: body,
      headers: { 'content-type': 'application/json', 'payment-signature': signature },
    });
    expect(webhook.status).toBe(404);
    const access = lines.filter((l) => l.msg === 'request');
    expect(access.map((l) => [l.route, l.status, l.orderId, l.workflowId])).toEqual([
      ['/orders/:id', 404, orderId, `order-${orderId}`],
      ['/webhooks/payments', 404, orderId, `order-${orderId}`],
    ]);
    const text = (await api.request('/metrics')).body as string;
    expect(metricValue(text, 'webhooks_received_total', { type: 'payment.failed', result: 'unknown_order' })).toBe(1);
  });

  it('counts request durations by route pattern and status, never by raw URL', async () => {
    await api.request(`/products/${unknownProduct}`);
    await api.request('/no/such/route');
    const text = (await api.request('/metrics')).body as string;
    const count = (route: string) =>
      metricValue(text, 'http_request_duration_seconds_count', { method: 'GET', route, status: '404', service: 'api' });
    expect(count('/products/:id')).toBeGreaterThanOrEqual(2);
    expect(count('unmatched')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(unknownProduct);
  });

  it('counts order placements and webhooks by result', async () => {
    const invalid = await api.request('/orders', { body: { customerId: 'c1' }, headers: await customerAuth(config, 'c1') });
    expect(invalid.status).toBe(400);
    const unsigned = await api.request('/webhooks/payments', {
      body: { id: 'evt_1', type: 'payment.succeeded' },
    });
    expect(unsigned.status).toBe(401);
    const weird = await api.request('/webhooks/payments', { body: { type: 'x'.repeat(50) } });
    expect(weird.status).toBe(401);

    const text = (await api.request('/metrics')).body as string;
    expect(metricValue(text, 'orders_placed_total', { result: 'invalid' })).toBe(1);
    expect(
      metricValue(text, 'webhooks_received_total', { type: 'payment.succeeded', result: 'invalid_signature' }),
    ).toBe(1);
    // A type the API does not know never becomes a label value.
    expect(metricValue(text, 'webhooks_received_total', { type: 'unknown', result: 'invalid_signature' })).toBe(1);
  });
});
