import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DisputeEvent, DisputeWorkflowInput } from './order/definitions';
import { disputeEventSignal } from './order/definitions';
import type { DisputeOutcome, OrderActivities } from './order/activity-types';
import { localNotificationStep } from './order/activities-proxy';

// A database write: it waits out a database outage, like the saga's own bookkeeping.
const { applyDisputeEvent } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'Apply the dispute to the order',
});

/**
 * One dispute of an order's charge, `dispute-{disputeId}`: the API starts it with signal-with-start from the
 * provider's webhook (`dispute.created`, `dispute.closed`), so its events are applied one at a time, whichever comes
 * first and however often. It works the same whether the order's saga still runs (in its cancel window) or closed
 * long ago: the order row carries the dispute and the status to return to (src/orders/dispute-store.ts), and the
 * saga's later writes land there. The customer is told when the dispute opens and when it closes. The workflow ends
 * once the dispute is closed; an event that comes after (a reordered `dispute.created`) starts a run that finds the
 * dispute closed and ends at once.
 */
export async function disputeWorkflow(input: DisputeWorkflowInput): Promise<{ disputeStatus: string }> {
  const events: DisputeEvent[] = [];
  const seen = new Set<string>();
  setHandler(disputeEventSignal, (event) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    events.push(event);
  });
  const notify = localNotificationStep(input.notifyMaxAttempts);

  for (;;) {
    await condition(() => events.length > 0);
    const event = events.shift()!;
    const outcome = await applyDisputeEvent(input.orderId, event);
    if (outcome.opened) await notify(notification(input, 'dispute_opened', outcome));
    if (outcome.closed) await notify(notification(input, 'dispute_closed', outcome));
    if (outcome.disputeStatus !== 'open') return { disputeStatus: outcome.disputeStatus };
  }
}

function notification(input: DisputeWorkflowInput, kind: 'dispute_opened' | 'dispute_closed', outcome: DisputeOutcome) {
  return {
    orderId: input.orderId,
    kind,
    to: outcome.customerEmail,
    data: { orderId: input.orderId, disputeStatus: outcome.disputeStatus, amountCents: outcome.amountCents },
    maxAttempts: input.notifyMaxAttempts,
  };
}
