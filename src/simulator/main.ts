import { loadConfigOrExit } from '../config';
import { describeBinding, listen, onShutdownSignal } from '../http/server';
import { createLogger } from '../logger';
import { createSimulatorApp, simulatorOptionsFromConfig } from './app';

/** The payment provider + notification service + carrier simulator as its own process (`npm run simulator`). */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('simulator', config.LOG_LEVEL);
  const simulator = createSimulatorApp(simulatorOptionsFromConfig(config, logger));
  const http = await listen(simulator.app, config.SIMULATOR_PORT, config.HOST);
  logger.info(
    {
      host: http.address,
      port: http.port,
      webhookUrl: config.SIM_WEBHOOK_URL,
      carrierWebhookUrl: config.SIM_CARRIER_WEBHOOK_URL,
      duplicateWebhooks: config.SIM_DUPLICATE_WEBHOOKS,
      shuffleWebhooks: config.SIM_SHUFFLE_WEBHOOKS,
      paymentFailRate: config.SIM_PAYMENT_FAIL_RATE,
      notifyFailRate: config.SIM_NOTIFY_FAIL_RATE,
    },
    `payment/notification simulator listening on ${describeBinding(http.address, http.port)}; reference on /docs`,
  );

  onShutdownSignal(
    async () => {
      await http.close(); // stop accepting; in-flight requests finish first
      await simulator.close(); // then drop pending webhooks and timers (state is in memory anyway)
      logger.info('simulator stopped');
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err) => {
  process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
