// First: tracing must be started before anything loads pg, so its queries are traced.
import './start-tracing';
import { startCatalogCache } from '../catalog/catalog-cache';
import { loadConfigOrExit } from '../config';
import { initOrm } from '../db/orm';
import { describeBinding, listen, onShutdownSignal } from '../http/server';
import { createLogger } from '../logger';
import { createApiMetrics } from '../metrics/api-metrics';
import { createMetricsRegistry } from '../metrics/registry';
import { activeTracing } from '../telemetry/tracing';
import { createTemporalClient } from '../temporal/client';
import { startWebhookRetention } from '../webhooks/retention';
import { createApp } from './app';

/** The API process: runs until SIGINT/SIGTERM. */
export async function runApi(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('api', config.LOG_LEVEL);
  const orm = await initOrm({ ...config, applicationName: 'order-saga-api' });
  const temporal = createTemporalClient(config);
  const metrics = createApiMetrics(createMetricsRegistry('api'));
  // Its own connection, LISTENing for catalog changes; off (CATALOG_CACHE=off): every catalog read goes to the database.
  const catalog = config.CATALOG_CACHE ? startCatalogCache(config.DATABASE_URL, logger) : undefined;
  const app = createApp({ config, orm, temporal, logger, metrics, productCache: catalog?.cache });
  const http = await listen(app, config.PORT, config.HOST);
  const stopRetention = startWebhookRetention({ em: () => orm.em.fork(), retentionMs: config.WEBHOOK_EVENT_RETENTION, logger });
  logger.info({ host: http.address, port: http.port }, `API listening on ${describeBinding(http.address, http.port)}`);

  onShutdownSignal(
    async () => {
      stopRetention();
      await http.close(); // stop accepting; in-flight requests finish first
      await temporal.connection.close();
      await catalog?.close();
      await orm.close();
      await activeTracing()?.shutdown();
      logger.info('API stopped');
    },
    (msg) => logger.info(msg),
  );
}

/** Runs the API process; a failure to start exits 1 with the reason. */
export function runApiProcess(): void {
  runApi().catch((err) => {
    process.stderr.write(`API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

if (require.main === module) runApiProcess();
