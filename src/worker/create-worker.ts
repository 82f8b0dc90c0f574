import { existsSync } from 'node:fs';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createActivities } from '../../activities';
import { temporalWorkerOptions } from '../temporal/options';

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  taskQueue?: string;
  /**
   * A prebuilt workflow bundle (scripts/build-workflow-bundle.ts; WORKFLOW_BUNDLE_PATH). Without one the worker
   * bundles workflows/ at start-up, which is what development wants: never a stale bundle.
   */
  workflowBundlePath?: string;
  /** Another workflows module than workflows/ (one that registers more workflows beside the product's). */
  workflowsPath?: string;
  /** Activities registered beside the product's. */
  extraActivities?: object;
}

/** Builds the worker: workflows from workflows/ (prebuilt bundle when there is one), activities from the factory. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, config } = options;
  const bundlePath = options.workflowBundlePath ?? process.env.WORKFLOW_BUNDLE_PATH;
  if (bundlePath && !existsSync(bundlePath)) throw new Error(`WORKFLOW_BUNDLE_PATH: ${bundlePath} does not exist`);
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: options.workflowsPath ?? require.resolve('../../workflows') };
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: options.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    // Encrypted payloads, and tracing interceptors when tracing is on: the same as every client of the project.
    ...temporalWorkerOptions(config),
    activities: { ...createActivities(options), ...options.extraActivities },
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // The worker drains on shutdown: in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: '10s',
  });
}

/**
 * Resolves true once the worker has a workflow task poll outstanding on the server ("started" as a client would see
 * it); false if it stops or fails first, or after `timeoutMs`. Never rejects, so it can race the worker's run().
 */
export async function untilPolling(worker: Worker, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = worker.getStatus();
    if (status.hasOutstandingWorkflowPoll) return true;
    if ((status.runState !== 'INITIALIZED' && status.runState !== 'RUNNING') || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
