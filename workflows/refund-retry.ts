import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from './order/activity-types';

// As the saga's compensations: a few minutes of retries; a refund that still fails leaves the order in NEEDS_ATTENTION.
const { voidOrRefundOrderPayments, restoreOrderAfterRefund } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
  summary: 'Retry the refund of an order whose saga has closed',
});

export interface RefundRetryInput {
  orderId: string;
  paymentId: string;
  /** The refund attempt at the provider (2, 3…): its idempotency key is `refund:{paymentId}:{attempt}`. */
  attempt: number;
}

/**
 * An operator's retry of a refund the provider reported failed after the order's saga had closed
 * (`POST /admin/orders/{id}/retry-compensation`). Its workflow id, `refund-retry-{orderId}-{attempt}`, and the
 * refund's idempotency key are both the attempt's, so two retries of one failed refund start one workflow and ask the
 * provider once. Once refunded, the order is back in the status its saga ended it in; a later `payment.refund_failed`
 * flags it again and the next retry is the next attempt.
 */
export async function retryRefundWorkflow({ orderId, paymentId, attempt }: RefundRetryInput): Promise<{ status: string }> {
  const { status } = await voidOrRefundOrderPayments(orderId, paymentId, attempt);
  if (status === 'refunded') await restoreOrderAfterRefund(orderId);
  return { status };
}
