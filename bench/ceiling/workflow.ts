import { condition, defineSignal, defineUpdate, deprecatePatch, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { LOCAL_STEPS, localNotificationOptions } from '../../workflows/order/activities-proxy';
import { ORDER_SAGA_V2 } from '../../workflows/order/workflow';
import { OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';

/**
 * The engine's ceiling for the order saga (bench/saga.ts): a paid order of the current saga (workflows/order/saga.ts)
 * in Temporal terms, with the business removed. The same commands in the same workflow tasks: the version marker,
 * the same local activities with the same options (each doing nothing), one search-attribute upsert per status
 * change, the update-with-start answered after the payment request, the payment wait (a signal stands in for the
 * webhook), the notification beside the cancellation window's timer, then COMPLETED. test/bench/ceiling-shape.test.ts
 * keeps its history the shape of a paid saga's (events, workflow tasks, activity tasks, local activities). With
 * `waits` (the bench's ceiling-waits leg) the activities still do nothing, but wait on I/O as the saga's do.
 */
export interface CeilingActivities {
  /** Stands in for createOrderRecord and for recordOrderStatus (the endings' status write). */
  ceilingRecord(id: string, status: string, waits?: true): Promise<void>;
  /** reserveOrderStock, which writes RESERVED itself. */
  ceilingReserve(id: string, waits?: true): Promise<{ totalCents: number }>;
  /** requestPayment, which writes AWAITING_PAYMENT itself. */
  ceilingRequestPayment(id: string, waits?: true): Promise<{ paymentId: string }>;
  /** commitOrderStock, which writes PAID itself. */
  ceilingCommit(id: string, waits?: true): Promise<void>;
  ceilingNotify(id: string, waits?: true): Promise<void>;
}

/** The saga's own settings, so its timers are the saga's too. */
export interface CeilingInput {
  id: string;
  paymentTimeoutMs: number;
  cancelWindowMs: number;
  notifyMaxAttempts: number;
  /**
   * The bench's ceiling-waits leg: each activity waits on PostgreSQL as often as the saga's makes a round trip
   * (bench/ceiling/activities.ts). Absent, the activities get exactly the arguments they always had.
   */
  waits?: true;
}

export const ceilingPlaceUpdate = defineUpdate<{ outcome: 'accepted' }>('ceilingPlace');
export const ceilingPaidSignal = defineSignal('ceilingPaid');

const record = proxyLocalActivities<CeilingActivities>(LOCAL_STEPS.createOrderRecord).ceilingRecord;
const recordStatus = proxyLocalActivities<CeilingActivities>(LOCAL_STEPS.recordOrderStatus).ceilingRecord;
const reserve = proxyLocalActivities<CeilingActivities>(LOCAL_STEPS.reserveOrderStock).ceilingReserve;
const requestPayment = proxyLocalActivities<CeilingActivities>(LOCAL_STEPS.requestPayment).ceilingRequestPayment;
const commit = proxyLocalActivities<CeilingActivities>(LOCAL_STEPS.commitOrderStock).ceilingCommit;

export async function ceilingWorkflow(input: CeilingInput): Promise<void> {
  // orderWorkflow's version marker (deprecated, still written) and its TemporalChangeVersion upsert in the first workflow task.
  deprecatePatch(ORDER_SAGA_V2);
  const notify = proxyLocalActivities<CeilingActivities>(localNotificationOptions(input.notifyMaxAttempts)).ceilingNotify;
  let accepted = false;
  let paid = false;
  setHandler(ceilingPlaceUpdate, async () => {
    await condition(() => accepted);
    return { outcome: 'accepted' as const };
  });
  setHandler(ceilingPaidSignal, () => {
    paid = true;
  });

  // Passed on to every activity only when set, so the plain ceiling's payloads are what they always were.
  const w: [] | [true] = input.waits ? [true] : [];
  let totalCents = 0;
  // The saga's statusWritten: one upsert per change, the total riding along once priced.
  const statusWritten = (status: string) =>
    upsertSearchAttributes([{ key: OrderStatusKey, value: status }, ...(totalCents > 0 ? [{ key: OrderTotalCentsKey, value: totalCents }] : [])]);

  await record(input.id, 'PENDING', ...w);
  ({ totalCents } = await reserve(input.id, ...w));
  statusWritten('RESERVED');
  await requestPayment(input.id, ...w);
  statusWritten('AWAITING_PAYMENT');
  accepted = true; // the saga's accepted(): the placement is answered from here

  await condition(() => paid, input.paymentTimeoutMs, { summary: 'Wait for the payment webhook' });
  await commit(input.id, ...w);
  statusWritten('PAID');

  // The confirmation runs beside the cancellation window, which the ceiling waits out like the saga (nobody cancels).
  const confirmation = notify(input.id, ...w);
  await condition(() => false, input.cancelWindowMs, { summary: 'Cancellation window' });
  await confirmation;

  await recordStatus(input.id, 'COMPLETED', ...w);
  statusWritten('COMPLETED');
}
