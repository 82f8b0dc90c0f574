import type { ParentWorkflowInfo } from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, getExternalWorkflowHandle, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { PAYMENT_NOT_OF_ORDER, refundRefusedSignal } from './order/definitions';
import type { OrderActivities } from './order/activity-types';

const { refundPayment } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s' },
  summary: 'Refund a payment that succeeded after its order was cancelled',
});
const { flagRefundRefused } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'Refund refused (the payment is not the order’s): the order needs attention',
});

/** Marks refund workflows that hand an order to an operator when its refund is refused as not the order's. */
const FLAG_REFUSED_REFUND = 'refund-flags-refused-refund';
/** Marks refund workflows started by a saga that tell it of such a refusal (or flag the order once it has closed). */
const TELL_SAGA_OF_REFUSAL = 'refund-tells-saga-of-refused-refund';

/**
 * A `payment.succeeded` webhook that arrives after the order's saga cancelled it: the customer must not stay charged.
 * Its workflow id is `refund-{paymentId}`, so however often the late webhook is delivered, it runs once.
 * A payment that is not the order's is never refunded (the activity refuses it for good), and the order then goes to
 * NEEDS_ATTENTION. When the API started this workflow (the saga had closed, no parent), it flags the order itself.
 * When a saga started it, the saga owns its order's status while it runs: it is told (refundRefusedSignal) and puts
 * the order in NEEDS_ATTENTION once it has ended it; a saga that has closed meanwhile cannot be told, so the order is
 * flagged here as in the first case. Either way the workflow then fails with the refusal.
 */
export async function refundLatePaymentWorkflow(input: { orderId: string; paymentId: string }): Promise<{ status: string }> {
  try {
    return await refundPayment(input.orderId, input.paymentId);
  } catch (err) {
    const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PAYMENT_NOT_OF_ORDER;
    const { parent } = workflowInfo();
    if (refused && parent === undefined && patched(FLAG_REFUSED_REFUND)) await flagRefundRefused(input.orderId, input.paymentId);
    if (refused && parent !== undefined && patched(TELL_SAGA_OF_REFUSAL)) await tellSaga(parent, input);
    throw err;
  }
}

/**
 * Tells the saga that started this refund of its refusal. The signal fails only when it cannot reach that run (it
 * has closed, or no longer exists): the order is then flagged here.
 */
async function tellSaga(saga: ParentWorkflowInfo, { orderId, paymentId }: { orderId: string; paymentId: string }): Promise<void> {
  try {
    await getExternalWorkflowHandle(saga.workflowId, saga.runId).signal(refundRefusedSignal, { paymentId });
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    await flagRefundRefused(orderId, paymentId);
  }
}
