import Koa from 'koa';
import type { Registry } from 'prom-client';
import { errorMiddleware } from '../api/error-middleware';
import { opsRouter } from '../api/routes/ops';
import type { Logger } from '../logger';
import type { ReadinessReport } from '../readiness';

export interface WorkerOpsOptions {
  logger: Logger;
  registry: Registry;
  /** PostgreSQL and Temporal, as the API checks them. */
  readiness: () => Promise<ReadinessReport>;
  /** Appended to /metrics: the Temporal SDK's own metrics. */
  moreMetrics?: () => Promise<string>;
}

/** The worker's HTTP side, on WORKER_METRICS_PORT: /metrics, /healthz and /readyz. Nothing else is served. */
export function createWorkerOpsApp({ logger, registry, readiness, moreMetrics }: WorkerOpsOptions): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(logger));
  const router = opsRouter({ readiness, registry, moreMetrics });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
