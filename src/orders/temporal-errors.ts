import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';

/** The ApplicationFailure type with which a workflow's update validator or handler refused an update, if any. */
export function updateRefusal(err: unknown): { type: string; message: string } | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type) {
    return { type: err.cause.type, message: err.cause.message };
  }
  return undefined;
}

/** The workflow has closed (or never existed): signals and updates cannot reach it any more. */
export function isClosedWorkflow(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // Updates to a closed workflow fail with NOT_FOUND "workflow execution already completed".
  const message = err instanceof Error ? err.message : '';
  return /already completed|not found/i.test(message) && (err as { code?: number }).code === 5;
}
