import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { NotFoundError, ValidationError } from '../errors';
import { isUuid } from '../uuid';
import type { WebhookEvent } from '../wire/webhook-event';
import type { DisputeEvent } from '../../workflows/order/definitions';
import { disputeEventSignal, disputeWorkflowId } from '../../workflows/order/definitions';
import type { disputeWorkflow } from '../../workflows/dispute';
import { OrderSchema } from '../orders/entities';

/** What delivering a dispute event uses (a part of the payment events' deps). */
export interface DisputeEventDeps {
  temporal: Client;
  orm: Orm;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'NOTIFY_MAX_ATTEMPTS'>;
}

/**
 * Hands a verified dispute event (`dispute.created`, `dispute.closed`) to the dispute's own workflow,
 * `dispute-{disputeId}`, with signal-with-start: the first event starts it, later ones join it, and one that comes
 * after it ended starts a run that finds the dispute settled (workflows/dispute.ts). The order's saga is never
 * signalled: a dispute may come weeks after it closed. An order the service does not know is 404 (retried).
 */
export async function deliverDisputeEvent(deps: DisputeEventDeps, event: WebhookEvent): Promise<'signalled'> {
  const { orderId, dispute } = event.data;
  if (!dispute) throw new ValidationError('a dispute event carries data.dispute');
  const order = isUuid(orderId)
    ? await deps.orm.em.fork().findOne(OrderSchema, { id: orderId.toLowerCase() }, { fields: ['id'] })
    : null;
  if (!order) throw new NotFoundError('order', orderId);
  const signal: DisputeEvent = {
    eventId: event.id,
    type: event.type === 'dispute.created' ? 'dispute.created' : 'dispute.closed',
    disputeId: dispute.id,
    // A close always says how it ended; a created event is open whatever else it says.
    status: event.type === 'dispute.created' ? 'open' : dispute.status,
    amountCents: dispute.amountCents,
    currency: event.data.currency,
    reason: dispute.reason,
  };
  if (signal.type === 'dispute.closed' && signal.status === 'open')
    throw new ValidationError('a dispute.closed event says whether the dispute was won or lost');
  await deps.temporal.workflow.signalWithStart<typeof disputeWorkflow, [DisputeEvent]>('disputeWorkflow', {
    workflowId: disputeWorkflowId(dispute.id),
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [{ orderId: order.id, disputeId: dispute.id, notifyMaxAttempts: deps.config.NOTIFY_MAX_ATTEMPTS }],
    signal: disputeEventSignal,
    signalArgs: [signal],
    staticSummary: `Dispute of order ${order.id.slice(0, 8)}`,
  });
  return 'signalled';
}
