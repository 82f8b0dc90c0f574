import { request } from '../harness/http';
import { serveAppWithoutIo } from './app-without-io';

/** Issue #25, finding 10: /readyz names what is down and nothing more; METRICS_TOKEN guards /metrics. */
const SECRET_LOOKING = ['password authentication failed', 'app_user', '10.1.2.3', 'ECONNREFUSED'];
const failingParts = {
  orm: { em: { getConnection: () => ({ execute: () => Promise.reject(new Error('password authentication failed for user "app_user" at 10.1.2.3')) }) } },
  temporal: {
    connection: {
      withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
      workflowService: { getSystemInfo: () => Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233')) },
    },
  },
};

describe('GET /readyz when PostgreSQL and Temporal fail', () => {
  let server: Awaited<ReturnType<typeof serveAppWithoutIo>>;
  beforeAll(async () => (server = await serveAppWithoutIo({}, failingParts)));
  afterAll(() => server.close());

  it('answers 503 naming both, without the drivers\' error text', async () => {
    const res = await request(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 'not_ready',
      message: 'not answering: postgres, temporal',
      details: { postgres: { ok: false, error: 'unavailable' }, temporal: { ok: false, error: 'unavailable' } },
    });
    for (const text of SECRET_LOOKING) expect(JSON.stringify(res.body)).not.toContain(text);
  });
});

describe('GET /metrics', () => {
  const token = 'a-metrics-token-of-32-or-more-characters';

  it('with METRICS_TOKEN: 401 without it or with another, 200 with it', async () => {
    const server = await serveAppWithoutIo({ METRICS_TOKEN: token });
    try {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, token]) {
        const res = await request(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
        expect({ authorization, status: res.status, error: res.body?.error }).toEqual({ authorization, status: 401, error: 'unauthorized' });
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      }
      const ok = await request(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('# TYPE http_request_duration_seconds histogram');
    } finally {
      await server.close();
    }
  });

  it('without METRICS_TOKEN (locally): open, as before', async () => {
    const server = await serveAppWithoutIo();
    try {
      expect((await request(`${server.url}/metrics`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
