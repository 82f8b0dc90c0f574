// First: tracing must be started before anything loads pg, so its queries are traced.
import './start-tracing';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { initOrm } from '../db/orm';
import { describeBinding, listen } from '../http/server';
import { createLogger } from '../logger';
import { createMetricsRegistry } from '../metrics/registry';
import { createWorkerMetrics } from '../metrics/worker-metrics';
import { createWebhookMetrics } from '../metrics/webhook-metrics';
import { startRelay } from '../outbox/relay';
import { checkReadiness } from '../readiness';
import { activeTracing } from '../telemetry/tracing';
import { describeTemporalConnection, temporalConnectionOptions } from '../temporal/connection';
import type { CreateWorkerOptions } from './create-worker';
import { createWorker, untilPolling } from './create-worker';
import { heapBudgetProblem } from './heap-budget';
import { createWorkerOpsApp, fetchSdkMetrics, sdkMetricsBindAddress } from './ops-app';

/** The worker process: runs until SIGINT/SIGTERM, then drains. `code` registers more workflows and activities. */
export async function runWorker(code: Pick<CreateWorkerOptions, 'workflowsPath' | 'extraActivities'> = {}): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('worker', config.LOG_LEVEL);
  // Both isolates (main and workflow thread) run with the same V8 flags, so this process's limit is the thread's.
  const heapProblem = heapBudgetProblem(getHeapStatistics().heap_size_limit / 2 ** 20, config.WORKER_MAX_CACHED_WORKFLOWS);
  if (heapProblem) {
    process.stderr.write(heapProblem + '\n');
    process.exit(1);
  }
  const sdkMetricsPort = config.WORKER_SDK_METRICS_PORT;
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
    ...(sdkMetricsPort > 0
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsBindAddress(sdkMetricsPort) } } } }
      : {}),
    // The worker exits on our signal handling below, not the SDK's.
    shutdownSignals: [],
  });
  const orm = await initOrm({ ...config, applicationName: 'order-saga-worker' });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  logger.info(`connected to Temporal at ${describeTemporalConnection(config)}`);
  const metrics = createWorkerMetrics(createMetricsRegistry('worker'));

  // Up before the worker is built, so liveness answers while workflow code loads.
  const ops = await listen(
    createWorkerOpsApp({
      logger,
      registry: metrics.registry,
      readiness: () => checkReadiness(orm, connection),
      moreMetrics: sdkMetricsPort > 0 ? () => fetchSdkMetrics(sdkMetricsPort) : undefined,
      metricsToken: config.METRICS_TOKEN,
    }),
    config.WORKER_METRICS_PORT,
    config.HOST,
  );
  logger.info({ host: ops.address, port: ops.port }, `worker metrics and health (/metrics, /healthz, /readyz) on ${describeBinding(ops.address, ops.port)}`);

  const creating = performance.now();
  const worker = await createWorker({ connection, orm, config, logger, metrics, ...code });
  const createMs = performance.now() - creating;

  // The outbox relay delivers order events to webhook subscribers; every worker runs one (they share the work).
  const relay =
    config.WEBHOOK_RELAY === 'on' ? startRelay({ orm, config, logger, metrics: createWebhookMetrics(metrics.registry) }) : undefined;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, draining the worker`);
    worker.shutdown();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const running = worker.run(); // resolves once shutdown has drained in-flight tasks
  // A failing run() rejects the race: main fails and the worker exits 1 with the SDK's error.
  if (await Promise.race([untilPolling(worker), running.then(() => false)])) {
    // From process start (performance's time origin) to the first workflow task poll: what `npm run bench` reads.
    logger.info(
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        startupMs: Math.round(performance.now()),
        createWorkerMs: Math.round(createMs),
        workflowCode: process.env.WORKFLOW_BUNDLE_PATH ? 'prebuilt bundle' : 'bundled at start-up',
      },
      'worker polling',
    );
  } else {
    logger.warn('the worker stopped or did not poll within 60 s of being started');
  }
  await running;
  await relay?.stop();
  await ops.close();
  await connection.close();
  await orm.close();
  await activeTracing()?.shutdown();
  logger.info('worker stopped');
}

/** Runs a worker process to its end and exits with its outcome. */
export function runWorkerProcess(code?: Parameters<typeof runWorker>[0]): void {
  runWorker(code).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) runWorkerProcess();
