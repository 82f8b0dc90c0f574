import type { OrderSagaState, OrderWorkflowInput } from '../../workflows/order/definitions';
import { legacyOrderSaga } from '../../workflows/order/legacy-workflow';

/**
 * The earlier (v1) order saga as a workflow type of its own, so the bench can run it beside the current one:
 * `npm run bench -- --variants orderWorkflow,legacyOrderWorkflow`. orderWorkflow runs this code only for sagas
 * started before the order-saga-v2 marker; here it runs for every order. Registered by the bench worker only
 * (bench/ceiling/workflows.ts), never by the production worker.
 */
export async function legacyOrderWorkflow(input: OrderWorkflowInput): Promise<OrderSagaState> {
  return legacyOrderSaga(input);
}
