import type { Worker } from '@temporalio/worker';

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
