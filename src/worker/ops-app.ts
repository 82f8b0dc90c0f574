import Koa from 'koa';
import type { Registry } from 'prom-client';
import { errorMiddleware } from '../http/error-middleware';
import { TOOLKIT_ERRORS } from '../http/errors';
import { opsRouter } from '../http/ops-routes';
import type { Logger } from '../logger';
import type { ReadinessReport } from '../readiness';

export interface WorkerOpsOptions {
  logger: Logger;
  registry: Registry;
  /** PostgreSQL and Temporal, as the API checks them. */
  readiness: () => Promise<ReadinessReport>;
  /** Appended to /metrics: the Temporal SDK's own metrics. */
  moreMetrics?: () => Promise<string>;
  /** METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken?: string;
}

/** The worker's HTTP side, on WORKER_METRICS_PORT: /metrics, /healthz and /readyz. Nothing else is served. */
export function createWorkerOpsApp({ logger, registry, readiness, moreMetrics, metricsToken }: WorkerOpsOptions): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(logger, TOOLKIT_ERRORS));
  const router = opsRouter({ readiness, registry, moreMetrics, metricsToken });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/**
 * The Temporal SDK exports its metrics (task latencies, slots, poll results, sticky cache…) through its own
 * Prometheus endpoint, bound to loopback. The worker's /metrics appends them, so one scrape target per worker covers
 * both; that also keeps the SDK's port private, which matters when several workers share a host (--scale).
 */
export function sdkMetricsBindAddress(port: number): string {
  return `127.0.0.1:${port}`;
}

/** Reads the SDK's exposition text; an error becomes a comment line, never a failed scrape of our own metrics. */
export async function fetchSdkMetrics(port: number, timeoutMs = 2000): Promise<string> {
  try {
    const res = await fetch(`http://${sdkMetricsBindAddress(port)}/metrics`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    return await res.text();
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}
