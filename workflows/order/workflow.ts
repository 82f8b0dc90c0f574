import { deprecatePatch } from '@temporalio/workflow';
import type { OrderSagaState, OrderWorkflowInput } from './definitions';
import { OrderSaga } from './saga';

/**
 * The marker of the sagas that run the current code (compensations registered before their steps, webhooks bound
 * to the saga's own payment, reconciliation with the provider before the payment timeout). Every saga still open
 * carries it, so the code for sagas without it is gone; deprecatePatch keeps writing it, and lets histories that
 * have it replay. Delete the call once no saga started before it was deprecated is still open.
 */
export const ORDER_SAGA_V2 = 'order-saga-v2';

/**
 * One order's whole life: reserve → request payment → wait for the provider's webhook → commit, or compensate in
 * reverse order (workflows/order/saga.ts). The API waits on the `placeOrder` update until the reservation is
 * decided; the saga runs on.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderSagaState> {
  deprecatePatch(ORDER_SAGA_V2);
  return new OrderSaga(input).run();
}
