import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';

/**
 * The engine's ceiling for the order saga (bench/saga.ts): the same Temporal shape with the business removed.
 * One update-with-start answered after the same steps, the same number and kind of activities (local for the
 * bookkeeping writes, regular for the rest, all no-ops), the same search-attribute upserts, one signal standing
 * in for the payment webhook. The benchmark compares the real saga's throughput and latency against this.
 * It ends once the confirmation "notification" is done, which is the point the benchmark follows the saga to.
 */
export interface CeilingActivities {
  ceilingRecord(step: string): Promise<void>;
  ceilingReserve(id: string): Promise<{ totalCents: number }>;
  ceilingRequestPayment(id: string): Promise<{ paymentId: string }>;
  ceilingCommit(id: string): Promise<void>;
  ceilingNotify(id: string): Promise<void>;
}

export interface CeilingInput {
  id: string;
  cancelWindowMs: number;
  /**
   * What-if (BENCH_CEILING_FOLDED=1): the status writes after reserve, payment request and commit folded into
   * those activities instead of local activities of their own — what restructuring the saga that way would save.
   */
  foldStatusWrites?: boolean;
}

export const ceilingPlaceUpdate = defineUpdate<{ outcome: 'accepted' }>('ceilingPlace');
export const ceilingPaidSignal = defineSignal('ceilingPaid');

// The saga's timeouts, so a retry or a slow step would behave the same way.
const local = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '10s' });
const db = proxyActivities<CeilingActivities>({ startToCloseTimeout: '10s' });
const provider = proxyActivities<CeilingActivities>({ startToCloseTimeout: '15s' });

export async function ceilingWorkflow(input: CeilingInput): Promise<void> {
  let placed = false;
  let paid = false;
  setHandler(ceilingPlaceUpdate, async () => {
    await condition(() => placed);
    return { outcome: 'accepted' as const };
  });
  setHandler(ceilingPaidSignal, () => {
    paid = true;
  });

  const status = async (next: string) => {
    if (!input.foldStatusWrites) await local.ceilingRecord(next);
    upsertSearchAttributes([{ key: OrderStatusKey, value: next }]);
  };

  await local.ceilingRecord('PENDING'); // createOrderRecord
  const { totalCents } = await db.ceilingReserve(input.id);
  upsertSearchAttributes([{ key: OrderTotalCentsKey, value: totalCents }]);
  await status('RESERVED');
  await provider.ceilingRequestPayment(input.id);
  await status('AWAITING_PAYMENT');
  placed = true;

  await condition(() => paid, '15m');
  await db.ceilingCommit(input.id);
  await status('PAID');
  const notified = db.ceilingNotify(input.id);
  // The saga's cancellation window starts here too; the ceiling does not wait it out.
  void condition(() => false, input.cancelWindowMs);
  await notified;
}
