import type { Client, WorkflowHandle } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { OrderWorkflowInput, PlacementResult } from '../../workflows/order/definitions';
import { orderWorkflowId, placeOrderUpdate } from '../../workflows/order/definitions';
import { orderWorkflow } from '../../workflows/order/workflow';
import { uniqueTaskQueue } from '../harness/env';
import { startTestWorker } from '../harness/temporal';
import type { fakeOrderActivities } from './fake-order-activities';
import { orderInput } from './fake-order-activities';

export type Fake = ReturnType<typeof fakeOrderActivities>;
export type SagaHandle = WorkflowHandle<typeof orderWorkflow>;

/**
 * Runs one saga on the dev server with the fake activities on its own task queue: places it the way the API does
 * (update-with-start), hands the handle and the placement answer to `body`, then stops the worker.
 */
export async function runSaga(
  client: Client,
  fake: Fake,
  overrides: Partial<OrderWorkflowInput>,
  body: (handle: SagaHandle, context: { input: OrderWorkflowInput; placed?: PlacementResult; taskQueue: string }) => Promise<void>,
  { place = true }: { place?: boolean } = {},
): Promise<void> {
  const taskQueue = uniqueTaskQueue();
  const worker = await startTestWorker({ taskQueue, activities: fake.activities });
  const input = orderInput(overrides);
  try {
    const workflowId = orderWorkflowId(input.orderId);
    if (!place) {
      // Started without waiting for the placement, so the test can act while the first steps still run.
      const handle = await client.workflow.start(orderWorkflow, { workflowId, taskQueue, args: [input] });
      return await body(handle, { input, taskQueue });
    }
    const placed = await client.workflow.executeUpdateWithStart(placeOrderUpdate, {
      args: [{ requestFingerprint: input.requestFingerprint }],
      startWorkflowOperation: new WithStartWorkflowOperation(orderWorkflow, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    const handle = client.workflow.getHandle<typeof orderWorkflow>(workflowId);
    await body(handle, { input, placed, taskQueue });
  } finally {
    await worker.shutdown();
  }
}

export const statusesOf = (fake: Fake) => fake.statuses.map((s) => s.status);
export const countOf = (fake: Fake, name: string) => fake.names().filter((n) => n === name).length;
