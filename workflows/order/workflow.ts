import { patched } from '@temporalio/workflow';
import type { OrderSagaState, OrderWorkflowInput } from './definitions';
import { legacyOrderSaga } from './legacy-workflow';
import { OrderSaga } from './saga';

/**
 * Marks sagas that run the current code: compensations registered before their steps, webhooks bound to the
 * saga's own payment, reconciliation with the provider before the payment timeout. Histories without it (sagas
 * started earlier) replay on the earlier code.
 */
export const ORDER_SAGA_V2 = 'order-saga-v2';

/**
 * One order's whole life: reserve → request payment → wait for the provider's webhook → commit, or compensate in
 * reverse order (workflows/order/saga.ts). The API waits on the `placeOrder` update until the reservation is
 * decided; the saga runs on.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderSagaState> {
  if (!patched(ORDER_SAGA_V2)) return legacyOrderSaga(input);
  return new OrderSaga(input).run();
}
