import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import type { Orm } from '../../src/db/orm';
import { createWorkerMetrics } from '../../src/metrics/worker-metrics';
import { checkReadiness } from '../../src/readiness';
import { createWorkerOpsApp, fetchSdkMetrics } from '../../src/worker/ops-app';
import { testConfig, testLogger, testOrm } from '../harness/env';
import type { AppRequest } from '../harness/http';
import { inProcess } from '../harness/http';

// The worker's HTTP side (WORKER_METRICS_PORT): /healthz, /readyz over PostgreSQL and the worker's own Temporal
// connection, and /metrics with the Temporal SDK's exporter output appended.
describe('worker metrics and health endpoints', () => {
  const config = testConfig();
  let orm: Orm;
  let connection: NativeConnection;
  let sdk: ReturnType<typeof createServer>;
  let sdkPort: number;
  let ops: AppRequest;
  const metrics = createWorkerMetrics();

  beforeAll(async () => {
    orm = await testOrm(config);
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    // Stands in for the SDK's Prometheus exporter (Runtime.install can happen once per process, and jest's has one).
    sdk = createServer((_req, res) =>
      res.end(
        '# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available{worker_type="WorkflowWorker"} 40\n',
      ),
    );
    await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
    sdkPort = (sdk.address() as AddressInfo).port;
    ops = inProcess(
      createWorkerOpsApp({
        logger: testLogger(),
        registry: metrics.registry,
        readiness: () => checkReadiness(orm, connection),
        moreMetrics: () => fetchSdkMetrics(sdkPort),
      }),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => sdk?.close(resolve));
    await connection?.close();
    await orm?.close();
  });

  it('GET /healthz and GET /readyz (PostgreSQL and Temporal answer)', async () => {
    expect(await ops('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await ops('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: { ok: true }, temporal: { ok: true } } });
  });

  it('GET /readyz answers 503 naming what does not answer', async () => {
    const app = createWorkerOpsApp({
      logger: testLogger(),
      registry: metrics.registry,
      readiness: async () => ({
        ready: false,
        checks: { postgres: { ok: true }, temporal: { ok: false, error: 'timeout' } },
      }),
    });
    const res = await inProcess(app)('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'not_ready', message: 'not answering: temporal' });
  });

  it('GET /metrics: the business metrics, then the SDK exporter output', async () => {
    metrics.ordersFinished.inc({ status: 'COMPLETED' });
    const res = await ops('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.body as string;
    for (const name of ['orders_finished_total', 'saga_duration_seconds', 'compensations_total', 'notifications_total'])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('temporal_worker_task_slots_available{worker_type="WorkflowWorker"} 40');
  });

  it('a missing SDK exporter costs a comment line, not the scrape', async () => {
    const text = await fetchSdkMetrics(1, 500);
    expect(text).toMatch(/^# Temporal SDK metrics unavailable: /);
  });

  it('unknown paths are JSON 404s', async () => {
    expect(await ops('/orders')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
