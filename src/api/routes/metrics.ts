import Router from '@koa/router';
import type { Registry } from 'prom-client';

/**
 * Prometheus scrape endpoint for this process's registry. `more` appends another exposition text (the worker adds
 * the Temporal SDK's own metrics), so one scrape target covers the whole process.
 */
export function metricsRoutes(registry: Registry, more?: () => Promise<string>): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const [own, extra] = await Promise.all([registry.metrics(), more?.() ?? Promise.resolve('')]);
    ctx.type = registry.contentType;
    ctx.body = extra ? `${own}\n${extra}` : own;
  });
  return router;
}
