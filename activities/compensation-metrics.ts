import type { CompensationStep, WorkerMetrics } from '../src/metrics/worker-metrics';
import type { OrderActivities } from '../workflows/order/activity-types';

/**
 * Counts every attempt of the compensation activities in compensations_total{step,result}. Per attempt, not per
 * final outcome: an activity cannot tell whether Temporal will retry it. A step that fails all its attempts shows
 * as orders_finished_total{status="NEEDS_ATTENTION"}.
 */
export function countCompensations(
  activities: OrderActivities,
  { compensations }: Pick<WorkerMetrics, 'compensations'>,
): OrderActivities {
  const counted =
    <A extends unknown[], R>(step: CompensationStep, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await run(...args);
        compensations.inc({ step, result: 'success' });
        return result;
      } catch (err) {
        compensations.inc({ step, result: 'failure' });
        throw err;
      }
    };
  return {
    ...activities,
    voidOrRefundOrderPayments: counted('cancel_payment', activities.voidOrRefundOrderPayments),
    releaseOrderStock: counted('release_stock', activities.releaseOrderStock),
    refundPayment: counted('refund_payment', activities.refundPayment),
    restockOrder: counted('restock', activities.restockOrder),
  };
}
