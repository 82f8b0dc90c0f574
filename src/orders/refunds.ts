import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { NotFoundError } from '../errors';
import type { operatorRefundWorkflow } from '../../workflows/operator-refund';
import { operatorRefundWorkflowId } from '../../workflows/operator-refund';
import { requestFingerprint } from './request-identity';
import type { RefundJson } from './order-view';
import { toRefundJson } from './order-view';
import type { RefundRequest } from './refund-rules';
import { findRefund, openRefund } from './refund-store';

/** How long the answer waits for the provider before it says `pending` (the refund goes on regardless). */
const ANSWER_WAIT_MS = 10_000;

export interface RefundDeps {
  temporal: Client;
  orm: Orm;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
}

/**
 * An operator gives money back: the request is checked against the order's ledger and recorded `pending` under its
 * Idempotency-Key (refund-store.ts), then its workflow (`order-refund-{refundId}`) asks the provider and settles it.
 * Answers the refund once settled, or still `pending` after ANSWER_WAIT_MS. The same key again answers the same
 * refund (`replayed`) and makes sure its workflow runs, in case the first request stopped in between.
 */
export async function refundOrder(
  deps: RefundDeps,
  orderId: string,
  request: RefundRequest,
  idempotencyKey: string,
): Promise<{ refund: RefundJson; replayed: boolean }> {
  const { refund, replayed } = await openRefund(
    deps.orm.em.fork(),
    orderId,
    request,
    idempotencyKey,
    requestFingerprint(request),
  );
  if (refund.status === 'pending') {
    const run = await startRefund(deps, orderId, refund.id);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, ANSWER_WAIT_MS)));
    try {
      await Promise.race([run, waited]);
    } finally {
      clearTimeout(timer);
    }
  }
  const now = await findRefund(deps.orm.em.fork(), orderId, refund.id);
  if (!now) throw new NotFoundError('order', orderId);
  return { refund: toRefundJson(now.refund), replayed };
}

/** Starts the refund's workflow, or finds it started; settles when it ends. */
async function startRefund(deps: RefundDeps, orderId: string, refundId: string): Promise<unknown> {
  const workflowId = operatorRefundWorkflowId(refundId);
  try {
    const handle = await deps.temporal.workflow.start<typeof operatorRefundWorkflow>('operatorRefundWorkflow', {
      workflowId,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ orderId, refundId }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Refund part of order ${orderId.slice(0, 8)}`,
    });
    return handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return deps.temporal.workflow.getHandle(workflowId).result();
  }
}
