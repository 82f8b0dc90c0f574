import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from './order/activity-types';

// The provider may be down for a while: a few minutes of tries, then the refund is settled failed for an operator.
const { refundOrderPart } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
  summary: "Refund part of the order's payment",
});
const { abandonOrderRefund } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'Give up the refund: the order needs an operator',
});

export const operatorRefundWorkflowId = (refundId: string) => `order-refund-${refundId}`;

/**
 * An operator's refund of a COMPLETED order (POST /admin/orders/{id}/refunds), recorded `pending` by the API. Its
 * workflow id is `order-refund-{refundId}`, so however often the request is retried it runs once. The order's saga
 * has closed: this workflow alone moves the order, by the refund's settlement (refund-store.ts).
 */
export async function operatorRefundWorkflow(input: {
  orderId: string;
  refundId: string;
}): Promise<{ status: string }> {
  try {
    return await refundOrderPart(input.orderId, input.refundId);
  } catch (err) {
    if (isCancellation(err)) throw err;
    return abandonOrderRefund(input.orderId, input.refundId);
  }
}
