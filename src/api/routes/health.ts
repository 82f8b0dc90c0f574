import Router from '@koa/router';
import type { ReadinessReport } from '../../readiness';
import { checkReadiness } from '../../readiness';
import type { ApiDeps } from '../deps';

export function healthRoutes({ orm, temporal }: Pick<ApiDeps, 'orm' | 'temporal'>): Router {
  return healthRouter(() => checkReadiness(orm, temporal.connection));
}

/** /healthz and /readyz over any readiness probe; the worker serves the same pair on its metrics port. */
export function healthRouter(readiness: () => Promise<ReadinessReport>): Router {
  const router = new Router();
  // Liveness: the process answers. Nothing external is consulted, so a database outage does not restart us.
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // Readiness: PostgreSQL and Temporal both answer; otherwise 503 naming the one that does not.
  router.get('/readyz', async (ctx) => {
    const report = await readiness();
    const failing = Object.entries(report.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    ctx.status = report.ready ? 200 : 503;
    ctx.body = report.ready
      ? { status: 'ready', checks: report.checks }
      : { error: 'not_ready', message: `not answering: ${failing.join(', ')}`, details: report.checks };
  });
  return router;
}
