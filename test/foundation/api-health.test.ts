import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createTemporalClient } from '../../src/temporal/client';
import type { Orm } from '../../src/db/orm';
import { testConfig, testLogger, testOrm } from '../harness/env';
import type { RunningServer } from '../harness/http';
import { request, serve } from '../harness/http';

describe('health endpoints', () => {
  const config = testConfig();
  let orm: Orm;
  let temporal: Client;
  let server: RunningServer;

  beforeAll(async () => {
    orm = await testOrm(config);
    temporal = createTemporalClient(config);
    server = await serve(createApp({ config, orm, temporal, logger: testLogger() }));
  });
  afterAll(async () => {
    await server.close();
    await temporal.connection.close();
    await orm.close();
  });

  it('GET /healthz answers 200', async () => {
    const res = await request(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when PostgreSQL and Temporal answer', async () => {
    const res = await request(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: { ok: true }, temporal: { ok: true } });
  });

  it('GET /readyz answers 503 naming Temporal when it does not answer', async () => {
    // A client pointed at a port where nothing listens (no retry interceptor, so nothing outlives the test).
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
    const app = createApp({ config, orm, temporal: deadTemporal, logger: testLogger() });
    const other = await serve(app);
    try {
      const res = await request(`${other.url}/readyz`);
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
    const deadOrm = await testOrm(testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' })).catch(() => undefined);
    // MikroORM connects lazily enough that init may succeed; either way the check must name postgres.
    if (!deadOrm) return expect(deadOrm).toBeUndefined();
    const other = await serve(createApp({ config, orm: deadOrm, temporal, logger: testLogger() }));
    try {
      const res = await request(`${other.url}/readyz`);
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('postgres');
      expect(res.body.details.temporal).toEqual({ ok: true });
    } finally {
      await other.close();
      await deadOrm.close().catch(() => undefined);
    }
  });

  it('unknown routes answer a JSON 404', async () => {
    const res = await request(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
  });
});

describe('when a dependency is down', () => {
  it('POST /orders answers 503 service_unavailable (retryable), not 500, when Temporal does not answer', async () => {
    const config = testConfig();
    const orm = await testOrm(config);
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
    const server = await serve(createApp({ config, orm, temporal: deadTemporal, logger: testLogger() }));
    try {
      const res = await request(`${server.url}/orders`, {
        body: {
          customerId: 'c',
          customerEmail: 'c@example.com',
          items: [{ productId: '00000000-0000-4000-8000-000000000001', quantity: 1 }],
          payment: { token: 'tok_visa' },
        },
      });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'service_unavailable' });
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await server.close();
      await deadTemporal.connection.close().catch(() => undefined);
      await orm.close();
    }
  });
});

describe('request bodies that are not text', () => {
  it('malformed UTF-8 and lone surrogates are 400, never silently replaced', async () => {
    const config = testConfig();
    const orm = await testOrm(config);
    const temporal = createTemporalClient(config);
    const server = await serve(createApp({ config, orm, temporal, logger: testLogger() }));
    try {
      const badBytes = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
      });
      expect(badBytes.status).toBe(400);
      expect(((await badBytes.json()) as { error: string }).error).toBe('invalid_encoding');
      const surrogate = await request(`${server.url}/orders`, { rawBody: '{"customerId":"\\ud800"}', method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(surrogate.status).toBe(400);
      expect(surrogate.body.error).toBe('invalid_encoding');
    } finally {
      await server.close();
      await temporal.connection.close();
      await orm.close();
    }
  });
});
