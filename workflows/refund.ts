import { ActivityFailure, ApplicationFailure, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { PAYMENT_NOT_OF_ORDER } from './order/definitions';
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

/**
 * A `payment.succeeded` webhook that arrives after the order's saga cancelled it: the customer must not stay charged.
 * Its workflow id is `refund-{paymentId}`, so however often the late webhook is delivered, it runs once.
 * A payment that is not the order's is never refunded (the activity refuses it for good); when the API started this
 * workflow (the saga had closed, no parent), the order then goes to NEEDS_ATTENTION. A saga that started it is
 * still open and owns its order's status, so the refusal is only the failed workflow and the worker's error log.
 */
export async function refundLatePaymentWorkflow(input: { orderId: string; paymentId: string }): Promise<{ status: string }> {
  try {
    return await refundPayment(input.orderId, input.paymentId);
  } catch (err) {
    const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PAYMENT_NOT_OF_ORDER;
    if (refused && workflowInfo().parent === undefined && patched(FLAG_REFUSED_REFUND)) await flagRefundRefused(input.orderId, input.paymentId);
    throw err;
  }
}
