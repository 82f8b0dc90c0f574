import type { InProcessApi } from '../harness/api';
import { inProcessApi, unreachablePostgres, unreachableTemporal } from '../harness/api';
import { placeOrder } from '../harness/orders';

describe('health endpoints', () => {
  let api: InProcessApi;
  beforeAll(async () => {
    api = await inProcessApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('GET /healthz answers 200', async () => {
    const res = await api.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when PostgreSQL and Temporal answer', async () => {
    const res = await api.request('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: { ok: true }, temporal: { ok: true } });
  });

  it('GET /readyz answers 503 naming Temporal when it does not answer', async () => {
    const deadTemporal = unreachableTemporal();
    const other = await inProcessApi({ config: api.config, orm: api.orm, temporal: deadTemporal });
    try {
      const res = await other.request('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'not_ready', message: expect.stringContaining('temporal') });
      expect(res.body.details.postgres).toEqual({ ok: true });
      expect(res.body.details.temporal.ok).toBe(false);
    } finally {
      await other.close();
      await deadTemporal.connection.close().catch(() => undefined);
    }
  });

  it('GET /readyz answers 503 naming PostgreSQL when it does not answer', async () => {
    const deadOrm = await unreachablePostgres();
    const other = await inProcessApi({ config: api.config, orm: deadOrm, temporal: api.temporal });
    try {
      const res = await other.request('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'not_ready', message: expect.stringContaining('postgres') });
      expect(res.body.details.postgres.ok).toBe(false);
      expect(res.body.details.temporal).toEqual({ ok: true });
    } finally {
      await other.close();
      await deadOrm.close().catch(() => undefined);
    }
  });

  it('unknown routes answer a JSON 404', async () => {
    const res = await api.request('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
  });

  it('POST /orders answers 503 service_unavailable (retryable), not 500, when Temporal does not answer', async () => {
    const deadTemporal = unreachableTemporal();
    const other = await inProcessApi({ config: api.config, orm: api.orm, temporal: deadTemporal });
    try {
      const res = await placeOrder(other, { customer: 'c', product: '00000000-0000-4000-8000-000000000001' });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'service_unavailable' });
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await other.close();
      await deadTemporal.connection.close().catch(() => undefined);
    }
  });

  it('malformed UTF-8 and lone surrogates in a body are 400, never silently replaced', async () => {
    const badBytes = await api.request('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      rawBody: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
    });
    expect(badBytes.status).toBe(400);
    expect(badBytes.body.error).toBe('invalid_encoding');
    const surrogate = await api.request('/orders', { rawBody: '{"customerId":"\\ud800"}', method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error).toBe('invalid_encoding');
  });
});
