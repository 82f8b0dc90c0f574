import type { Middleware } from 'koa';
import type { Logger } from '../logger';
import { matchedRoute } from './matched-route';
import { requestLogger } from './request-id';

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
