import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from './order/activity-types';

const { refundPayment } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s' },
  summary: 'Refund a payment that succeeded after its order was cancelled',
});

/**
 * A `payment.succeeded` webhook that arrives after the order's saga cancelled it: the customer must not stay charged.
 * Its workflow id is `refund-{paymentId}`, so however often the late webhook is delivered, it runs once.
 */
export async function refundLatePaymentWorkflow(input: { orderId: string; paymentId: string }): Promise<{ status: string }> {
  return refundPayment(input.orderId, input.paymentId);
}
