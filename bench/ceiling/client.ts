import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CustomerIdKey, OrderIdKey, OrderStatusKey, OrderTotalCentsKey } from '../../workflows/search-attributes';
import type { CeilingInput, ceilingWorkflow } from './workflow';
import { ceilingPaidSignal, ceilingPlaceUpdate } from './workflow';

/** How a driver (the bench's ceiling leg, the shape test) runs the ceiling workflow: placed as the API places an order, paid as the webhook pays it. */

export const ceilingWorkflowId = (id: string) => `ceiling-${id}`;

/** The API floor's routes (bench/ceiling/front.ts): place a ceiling workflow, then pay it. */
export const FLOOR_PLACE_PATH = '/ceiling-orders';
export const floorPaidPath = (id: string) => `${FLOOR_PLACE_PATH}/${id}/paid`;

/**
 * Starts the ceiling the way the API starts a saga (update-with-start, the same policies and search attributes) and
 * resolves with the update's answer, given after the payment request like the saga's placement.
 */
export async function placeCeiling(client: Client, taskQueue: string, input: CeilingInput): Promise<void> {
  await client.workflow.executeUpdateWithStart(ceilingPlaceUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation<typeof ceilingWorkflow>('ceilingWorkflow', {
      workflowId: ceilingWorkflowId(input.id),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: OrderIdKey, value: input.id },
        { key: CustomerIdKey, value: 'bench-customer' },
        { key: OrderStatusKey, value: 'PENDING' },
        { key: OrderTotalCentsKey, value: 0 },
      ],
      staticSummary: `Ceiling ${input.id.slice(0, 8)}`,
    }),
  });
}

/** Signals the payment as the webhook would and resolves once the ceiling has committed and sent its confirmation. */
export async function payCeiling(client: Client, id: string): Promise<void> {
  await signalCeilingPaid(client, id);
  await untilCeilingPaid(client, id);
}

/** The payment's signal alone, as the webhook sends it (the driver, or the API floor's route). */
export async function signalCeilingPaid(client: Client, id: string): Promise<void> {
  await client.workflow.getHandle(ceilingWorkflowId(id)).signal(ceilingPaidSignal);
}

/** Resolves once the ceiling has committed and sent its confirmation after its payment's signal. */
export function untilCeilingPaid(client: Client, id: string): Promise<void> {
  return untilSignalHandled(client, ceilingWorkflowId(id), ceilingPaidSignal.name);
}

const { EventType } = temporal.api.enums.v1;

/**
 * Resolves once a workflow task has completed after the workflow received `signalName`: everything that task did
 * (its local activities, upserts and timers) is then in the history. Long-polls the history (each call returns as
 * soon as new events are written), so it adds no workflow task, query or event to the workflow it follows.
 */
async function untilSignalHandled(client: Client, workflowId: string, signalName: string): Promise<void> {
  let nextPageToken: Uint8Array | undefined;
  let signalled = false;
  for (;;) {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      waitNewEvent: true,
      nextPageToken,
    });
    for (const e of page.history?.events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && e.workflowExecutionSignaledEventAttributes?.signalName === signalName) signalled = true;
      else if (signalled && e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return;
    }
    if (!page.nextPageToken?.length) throw new Error(`workflow ${workflowId} closed before a workflow task followed its ${signalName} signal`);
    nextPageToken = page.nextPageToken;
  }
}
