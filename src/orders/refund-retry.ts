import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { refundRetryWorkflowId } from '../../workflows/order/definitions';
import type { retryRefundWorkflow } from '../../workflows/refund-retry';

/**
 * The refund attempt an operator's retry is for, when the order's saga has closed on a refund the provider later
 * reported failed: the order is NEEDS_ATTENTION (`refund_failed`) with a payment of its own. Every failed refund
 * left exactly one `refund_failed` history row (the saga's, or the late webhook's), so the next attempt is one more
 * than their count: the same number for every retry of one failure, the next one after the next failure.
 */
async function pendingRefundAttempt(em: EntityManager, orderId: string): Promise<{ paymentId: string; attempt: number } | undefined> {
  const rows = await em.getConnection().execute<{ provider_payment_id: string; failures: string }[]>(
    `SELECT o.provider_payment_id,
       (SELECT count(*) FROM order_history h WHERE h.order_id = o.id AND h.reason = 'refund_failed') AS failures
     FROM orders o
     WHERE o.id = ? AND o.status = 'NEEDS_ATTENTION' AND o.failure_reason = 'refund_failed' AND o.provider_payment_id IS NOT NULL`,
    [orderId],
  );
  return rows[0] ? { paymentId: rows[0].provider_payment_id, attempt: Number(rows[0].failures) + 1 } : undefined;
}

/**
 * Starts the retry of a failed refund for an order whose saga has closed: `refund-retry-{orderId}-{attempt}`. A
 * retry of the same attempt finds it started (or done) and starts nothing; one whose run failed (the provider still
 * refusing) runs it again under the same refund key. False when the order has no such refund to retry.
 */
export async function retryRefundOfClosedSaga(
  deps: { temporal: Client; em: EntityManager; config: Pick<Config, 'TEMPORAL_TASK_QUEUE'> },
  orderId: string,
): Promise<boolean> {
  const pending = await pendingRefundAttempt(deps.em, orderId);
  if (!pending) return false;
  try {
    await deps.temporal.workflow.start<typeof retryRefundWorkflow>('retryRefundWorkflow', {
      workflowId: refundRetryWorkflowId(orderId, pending.attempt),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ orderId, ...pending }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: `Retry the refund of order ${orderId.slice(0, 8)} (attempt ${pending.attempt})`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return true;
}
