import { loadConfig } from '../src/config';
import { initOrm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { createMetricsRegistry } from '../src/metrics/registry';
import { createWebhookMetrics } from '../src/metrics/webhook-metrics';
import { startRelay } from '../src/outbox/relay';

/** bench/relay-cpu.ts's relay: one, as a worker runs it (its settings from the environment), until SIGTERM. */
async function main() {
  const config = loadConfig(process.env);
  const orm = await initOrm(config);
  const relay = startRelay({ orm, config, logger: createLogger('relay', config.LOG_LEVEL), metrics: createWebhookMetrics(createMetricsRegistry('worker')) });
  // Stopped at once (a --cpu-prof profile is written on exit): what it had claimed waits for its lease to run out.
  process.once('SIGTERM', () => process.exit(0));
  void relay;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
