import Koa from 'koa';
import { jsonBody } from './body';
import type { ApiDeps } from './deps';
import { errorMiddleware } from './error-middleware';
import { catalogRoutes } from '../catalog/routes';
import { orderRoutes } from '../orders/routes';
import { healthRoutes } from './routes/health';

/** Builds the Koa application; the entry point (main.ts) and tests both use it. */
export function createApp(deps: ApiDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true; // errors are logged by errorMiddleware, once

  app.use(errorMiddleware(deps.logger));
  app.use(jsonBody(deps.config.REQUEST_BODY_LIMIT_BYTES));

  for (const router of [healthRoutes(deps), catalogRoutes(deps), orderRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
