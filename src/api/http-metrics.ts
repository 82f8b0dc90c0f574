import type { Middleware } from 'koa';
import type { ApiMetrics } from '../metrics/api-metrics';
import { matchedRoute } from './matched-route';

/** Observes every request's duration by method, route pattern and final status (mounted outside errorMiddleware). */
export function httpMetrics({ httpDuration }: Pick<ApiMetrics, 'httpDuration'>): Middleware {
  return async (ctx, next) => {
    const stop = httpDuration.startTimer();
    try {
      await next();
    } finally {
      stop({ method: ctx.method, route: matchedRoute(ctx), status: String(ctx.status) });
    }
  };
}
