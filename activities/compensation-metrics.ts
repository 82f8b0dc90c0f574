import type { WorkerMetrics } from '../src/metrics/worker-metrics';
import type { OrderActivities } from '../workflows/order/activity-types';
import type { CompensationStep } from '../workflows/order/state-machine';

/**
 * Counts every attempt of the compensation activities in compensations_total{step,result}, `step` being the
 * compensation's name in the saga (`compensation_failed:<step>`). Per attempt, not per final outcome: an activity
 * cannot tell whether Temporal will retry it. A step that fails all its attempts shows as
 * orders_finished_total{status="NEEDS_ATTENTION"}.
 */
export function countCompensations(
  activities: OrderActivities,
  { compensations }: Pick<WorkerMetrics, 'compensations'>,
): OrderActivities {
  const counted =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>, stepOf: CompensationStep | ((...args: A) => CompensationStep)) =>
    async (...args: A): Promise<R> => {
      const step = typeof stepOf === 'function' ? stepOf(...args) : stepOf;
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
    // A refund attempt after the first is the new refund asked for once the provider reported a refund failed.
    voidOrRefundOrderPayments: counted(activities.voidOrRefundOrderPayments, (_orderId, _paymentId, refundAttempt) =>
      refundAttempt === undefined ? 'void_or_refund_payment' : 'refund_payment',
    ),
    releaseOrderStock: counted(activities.releaseOrderStock, 'release_stock'),
    restockOrder: counted(activities.restockOrder, 'restock'),
    // The late-payment refund (refundLatePaymentWorkflow) gives money back like the saga's own new refund.
    refundPayment: counted(activities.refundPayment, 'refund_payment'),
  };
}
