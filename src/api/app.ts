import type Router from '@koa/router';
import type { Client } from '@temporalio/client';
import Koa from 'koa';
import type { Config } from '../config';
import type { ProductCache } from '../catalog/product-cache';
import type { Orm } from '../db/orm';
import { jsonBody } from '../http/body';
import type { DocsDeps } from '../http/docs-routes';
import { docsRoutes } from '../http/docs-routes';
import { errorMiddleware } from '../http/error-middleware';
import type { OpenApiDocument } from '../http/openapi';
import type { OpsDeps } from '../http/ops-routes';
import { opsRoutes } from '../http/ops-routes';
import { requestId } from '../http/request-id';
import type { Route } from '../http/route';
import { routerFor } from '../http/route';
import { placementGate } from '../orders/placement-gate';
import type { Logger } from '../logger';
import type { ApiMetrics } from '../metrics/api-metrics';
import { createApiMetrics } from '../metrics/api-metrics';
import type { PaymentProvider } from '../payments/payment-provider';
import { createPaymentProvider } from '../payments/provider-factory';
import { checkReadiness } from '../readiness';
import type { ErrorCode } from './error-codes';
import { ERROR_CODES } from './error-codes';
import { apiDocument } from './openapi';
import { accessLog, httpMetrics } from './request-telemetry';
import { adminRoutes } from './routes/admin';
import { fulfilmentRoutes } from './routes/fulfilment';
import { customerRoutes } from './routes/customers';
import type { OrderRouteDeps } from './routes/orders';
import { orderRoutes } from './routes/orders';
import { productRoutes } from './routes/products';
import { webhookEndpointRoutes } from './routes/webhook-endpoints';
import { isMountedWith, webhookRoutes } from './routes/webhooks';
import type { RejectionLimiter } from '../webhooks/rejections';
import { rejectionLimiter } from '../webhooks/rejections';
import { traceContext } from './trace-context';

/** What the HTTP layer needs from the outside world; injected so tests can build an app on real parts. */
export interface ApiDeps {
  config: Config;
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** The process's metrics (GET /metrics); createApp makes a private set when none is given (tests). */
  metrics?: ApiMetrics;
  /** Which payment methods the configured provider takes; its adapter from config when omitted. */
  paymentMethods?: Pick<PaymentProvider, 'acceptsPaymentMethod'>;
  /** This instance's catalog cache (CATALOG_CACHE, kept by LISTEN/NOTIFY); absent: the catalog is read from the database. */
  productCache?: ProductCache;
}

/** What the API's route handlers are given. */
export type ApiRouteDeps = ApiDeps & { metrics: ApiMetrics; paymentMethods: NonNullable<ApiDeps['paymentMethods']>; rejectedWebhooks: RejectionLimiter } & OpsDeps &
  DocsDeps &
  OrderRouteDeps;

/** Every operation of the API, in mounting order: the router and the OpenAPI document are both built from it. */
export const API_ROUTES: readonly Route<ApiRouteDeps, ErrorCode>[] = [
  ...opsRoutes,
  ...docsRoutes({
    title: 'order-saga API',
    page: { operationId: 'getApiReference', summary: 'Interactive API reference (Swagger UI)' },
    asset: { operationId: 'getApiReferenceAsset', summary: 'A static file of the API reference page', resource: 'documentation file' },
  }),
  ...productRoutes,
  ...orderRoutes,
  ...customerRoutes,
  ...webhookRoutes,
  ...adminRoutes,
  ...fulfilmentRoutes,
  ...webhookEndpointRoutes,
];

export function apiOpenApiDocument(options: { serverUrl?: string } = {}): OpenApiDocument {
  return apiDocument(API_ROUTES, options);
}

/** The API's router over its dependencies. Building it does no I/O. */
export function apiRouter(deps: ApiDeps): Router {
  const metrics = deps.metrics ?? createApiMetrics();
  let document: OpenApiDocument | undefined;
  // The document describes every route (each says when it is served); the router mounts this configuration's.
  return routerFor(API_ROUTES.filter((route) => isMountedWith(deps.config, route.path)), {
    ...deps,
    metrics,
    paymentMethods: deps.paymentMethods ?? createPaymentProvider(deps.config),
    registry: metrics.registry,
    metricsToken: deps.config.METRICS_TOKEN,
    readiness: () => checkReadiness(deps.orm, deps.temporal.connection),
    openApiDocument: () => (document ??= apiOpenApiDocument({ serverUrl: deps.config.PUBLIC_BASE_URL })),
    // One per router, i.e. per API process: the cap is on this process's work.
    placementGate: placementGate(deps.config),
    rejectedWebhooks: rejectionLimiter(deps.config.WEBHOOK_REJECTIONS_PER_MINUTE),
  });
}

/**
 * A Koa application with the API's middleware and no route: what every request to the API goes through before its
 * handler. createApp mounts the API's routes on it; the bench's API floor (bench/ceiling/front.ts) mounts its own.
 */
export function apiKoa(deps: { logger: Logger; metrics: ApiMetrics; config: Pick<Config, 'REQUEST_BODY_LIMIT_BYTES'> }): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true; // errors are logged by the error middleware, once

  // Outermost first: the request id exists before anything logs, the request's span before its log lines; the access log and the duration histogram see
  // the status errorMiddleware settled on.
  app.use(requestId(deps.logger));
  app.use(traceContext());
  app.use(accessLog(deps.logger));
  app.use(httpMetrics(deps.metrics));
  app.use(errorMiddleware(deps.logger, ERROR_CODES));
  app.use(jsonBody(deps.config.REQUEST_BODY_LIMIT_BYTES));
  return app;
}

/** Builds the Koa application; the entry point (main.ts) and tests both use it. */
export function createApp(deps: ApiDeps): Koa {
  const metrics = deps.metrics ?? createApiMetrics();
  const app = apiKoa({ logger: deps.logger, metrics, config: deps.config });

  const router = apiRouter({ ...deps, metrics });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
