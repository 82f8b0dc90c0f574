import type Router from '@koa/router';
import Koa from 'koa';
import type { ApiMetrics } from '../metrics/api-metrics';
import { createApiMetrics } from '../metrics/api-metrics';
import { accessLog } from './access-log';
import { jsonBody } from './body';
import type { ApiDeps } from './deps';
import { errorMiddleware } from './error-middleware';
import { httpMetrics } from './http-metrics';
import { catalogRoutes } from '../catalog/routes';
import { orderRoutes } from '../orders/routes';
import type { OpenApiDocument } from './openapi/document';
import { buildOpenApiDocument } from './openapi/document';
import { requestId } from './request-id';
import { traceContext } from './trace-context';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';

/**
 * Every router of the API, in mounting order. Exported so the OpenAPI test can walk their routes: a route missing
 * from the document fails that test. Building them does no I/O.
 */
export function apiRouters(deps: ApiDeps & { metrics: ApiMetrics }): Router[] {
  let document: OpenApiDocument | undefined;
  const openApi = () => (document ??= buildOpenApiDocument({ serverUrl: deps.config.PUBLIC_BASE_URL }));
  return [
    healthRoutes(deps),
    metricsRoutes(deps.metrics.registry),
    docsRoutes(openApi),
    catalogRoutes(deps),
    orderRoutes(deps),
  ];
}

/** Builds the Koa application; the entry point (main.ts) and tests both use it. */
export function createApp(deps: ApiDeps): Koa {
  const resolved = { ...deps, metrics: deps.metrics ?? createApiMetrics() };
  const app = new Koa();
  app.proxy = true;
  app.silent = true; // errors are logged by errorMiddleware, once

  // Outermost first: the request id exists before anything logs, the request's span before its log lines; the access log and the duration histogram see
  // the status errorMiddleware settled on.
  app.use(requestId(deps.logger));
  app.use(traceContext());
  app.use(accessLog(deps.logger));
  app.use(httpMetrics(resolved.metrics));
  app.use(errorMiddleware(deps.logger));
  app.use(jsonBody(deps.config.REQUEST_BODY_LIMIT_BYTES));

  for (const router of apiRouters(resolved)) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
