// The bench's API floor (the api-floor leg of bench/saga.ts): what any API on this stack pays to take an order and its
// payment webhook, with nothing of ours between the HTTP request and Temporal. Koa with the API's own middleware
// (request id, trace context, access log, duration histogram, error mapping, JSON body), a zod parse at the
// boundary, and the API's Temporal client (the same connection settings and payload codec), placing and paying the
// ceiling workflow as the driver's ceiling leg does. No PostgreSQL statement, no authentication (a customer's JWT
// costs about 15 µs, a webhook's HMAC about 3: bench/README.md): what the API's statements and logic cost is the
// gap between this process and the API, per order.
import Router from '@koa/router';
import Koa from 'koa';
import { z } from 'zod';
import { apiKoa } from '../../src/api/app';
import { loadConfigOrExit } from '../../src/config';
import { jsonBody } from '../../src/http/body';
import { listen, onShutdownSignal } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { createApiMetrics } from '../../src/metrics/api-metrics';
import { createTemporalClient } from '../../src/temporal/client';
import { FLOOR_PLACE_PATH, floorPaidPath, placeCeiling, signalCeilingPaid } from './client';

/** The ceiling's input, as the driver posts it. */
const PlaceBody = z.object({
  id: z.uuid(),
  paymentTimeoutMs: z.number().int().positive(),
  cancelWindowMs: z.number().int().positive(),
  notifyMaxAttempts: z.number().int().positive(),
});
const IdParam = z.uuid();

/** Koa as apiKoa sets it up (behind a proxy, errors not printed), with the JSON body as its only middleware. */
function bareKoa(bodyLimitBytes: number): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  return app.use(jsonBody(bodyLimitBytes));
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('api-floor', config.LOG_LEVEL);
  const temporal = createTemporalClient(config);
  const metrics = createApiMetrics();
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // POST /orders's part: parse, update-with-start, answer once the placement update has answered.
  router.post(FLOOR_PLACE_PATH, async (ctx) => {
    const input = PlaceBody.parse(ctx.request.body);
    await placeCeiling(temporal, config.TEMPORAL_TASK_QUEUE, input);
    ctx.status = 201;
    ctx.body = { id: input.id };
  });
  // The payment webhook's part: the signal, then the acknowledgement.
  router.post(floorPaidPath(':id'), async (ctx) => {
    const id = IdParam.parse(ctx.params.id);
    await signalCeilingPaid(temporal, id);
    ctx.body = { received: true };
  });

  // The API's own middleware (apiKoa, which createApp builds on), or with API_FLOOR_MIDDLEWARE=bare (a bench --env) the
  // JSON body alone, so a run splits the middleware's share from the transports'.
  const app = process.env.API_FLOOR_MIDDLEWARE === 'bare' ? bareKoa(config.REQUEST_BODY_LIMIT_BYTES) : apiKoa({ logger, metrics, config });
  app.use(router.routes());
  app.use(router.allowedMethods());
  const http = await listen(app, config.PORT, '127.0.0.1');
  logger.info({ port: http.port }, 'api floor listening');
  onShutdownSignal(
    async () => {
      await http.close();
      await temporal.connection.close();
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`api floor failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
