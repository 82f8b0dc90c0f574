import type { Context, Middleware } from 'koa';
import type { Logger } from '../logger';
import type { ApiMetrics } from '../metrics/api-metrics';
import { requestLogger } from '../http/request-id';

/**
 * The pattern of the route that served this request (`/orders/:id`, set by defineRoute), never the raw URL: ids in
 * a label or a log field meant for grouping would make one series per order. Requests no route matched share one
 * value.
 */
export function matchedRoute(ctx: Context): string {
  return ctx.state.route ?? 'unmatched';
}

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

/** Scraped and probed every few seconds: logged at debug so they do not drown the requests that matter. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One line per request, through the request's child logger (so it carries requestId), written once the status is
 * known: mount it outside errorMiddleware, so a failed request shows the status its client got.
 */
export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = matchedRoute(ctx);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const level = QUIET_ROUTES.has(route) ? 'debug' : 'info';
      requestLogger(ctx, logger)[level](
        { method: ctx.method, path: ctx.path, route, status: ctx.status, durationMs: Math.round(durationMs * 10) / 10 },
        'request',
      );
    }
  };
}
