import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createActivities } from '../../activities';

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  taskQueue?: string;
  /** A prebuilt workflow bundle (see scripts/build-workflow-bundle.ts); without it the worker bundles at start-up. */
  workflowBundlePath?: string;
}

export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', '..', 'dist', 'workflow-bundle.js');

/** Builds the worker: workflows from workflows/ (prebuilt bundle when there is one), activities from the factory. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, config } = options;
  const bundlePath = options.workflowBundlePath ?? process.env.WORKFLOW_BUNDLE_PATH ?? DEFAULT_BUNDLE_PATH;
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = existsSync(bundlePath)
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../../workflows') };
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: options.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    activities: createActivities(options),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // The worker drains on shutdown: in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: '10s',
  });
}
