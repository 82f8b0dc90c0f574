import { Client, Connection } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalClientOptions, temporalWorkerOptions } from '../../src/temporal/options';
import { testConfig } from './env';
import { requireSystemTest } from './test-kind';

/**
 * Workers and clients on the harness's dev server. Workers use the bundle global-setup built once for the run,
 * and each test passes its own task queue.
 */
let runtimeInstalled = false;
/** The SDK logs every failed activity at WARN; business failures are expected in tests, so only errors show. */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'ERROR') ?? 'ERROR') });
}

/** `workflowsPath`: other workflows than the product's (the bench's), bundled when the worker is created. */
export async function startTestWorker(options: Omit<WorkerOptions, 'connection' | 'workflowBundle'>) {
  requireSystemTest('startTestWorker()');
  quietRuntime();
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    ...(options.workflowsPath ? {} : { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } }),
    // Encrypted payloads and (when a test started tracing) tracing interceptors, as the real worker has.
    ...temporalWorkerOptions(testConfig()),
    ...options,
  });
  const running = worker.run();
  return {
    worker,
    async shutdown() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function testClient(): Promise<Client> {
  requireSystemTest('testClient()');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', ...temporalClientOptions(testConfig()) });
}
