import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { initOrm } from '../db/orm';
import { createLogger } from '../logger';
import { createWorker } from './create-worker';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('worker', config.LOG_LEVEL);
  // The SDK's own logs (worker lifecycle, workflow logger) go through the same pino logger.
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[level.toLowerCase() as 'info'](meta ?? {}, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    // The worker exits on our signal handling below, not the SDK's.
    shutdownSignals: [],
  });
  const orm = await initOrm(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({ connection, orm, config, logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, draining the worker`);
    worker.shutdown();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker polling');
  await worker.run(); // resolves once shutdown has drained in-flight tasks
  await connection.close();
  await orm.close();
  logger.info('worker stopped');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
