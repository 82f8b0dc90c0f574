import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { createCeilingActivities } from '../../bench/ceiling/activities';
import { ceilingWorkflowId, payCeiling, placeCeiling } from '../../bench/ceiling/client';
import type { HistoryShape } from '../../bench/lib/shape';
import { historyShape } from '../../bench/lib/shape';
import { orderWorkflowId, paymentEventSignal, placeOrderUpdate } from '../../workflows/order/definitions';
import type { orderWorkflow } from '../../workflows/order/workflow';
import { uniqueTaskQueue } from '../harness/env';
import { startTestWorker, testClient } from '../harness/temporal';
import { fakeOrderActivities, orderInput, paymentSucceeded } from '../workflows/fake-order-activities';

// The bench compares the saga with a no-op workflow of the same shape (bench/ceiling/workflow.ts). Both run here on
// the dev server, in the bench worker's workflow bundle: a paid order of the current saga (in-memory activities) and
// the ceiling, driven the way the bench drives it. Their histories must cost Temporal the same, or the ceiling has
// drifted from the saga and the bench compares against the wrong thing.
describe('the bench ceiling workflow', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  /** The history's shape as the bench counts it, and its events' types in order. */
  async function shapeOf(workflowId: string): Promise<{ shape: HistoryShape; eventTypes: unknown[] }> {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    return { shape: historyShape(events), eventTypes: events.map((e) => e.eventType) };
  }

  it('has the history of a paid order: as many events, workflow tasks, activity tasks and local activities, in the same order', async () => {
    const fake = fakeOrderActivities();
    const taskQueue = uniqueTaskQueue();
    const worker = await startTestWorker({
      taskQueue,
      workflowsPath: require.resolve('../../bench/ceiling/workflows'),
      activities: { ...fake.activities, ...createCeilingActivities() },
    });
    try {
      const input = orderInput();
      const orderId = orderWorkflowId(input.orderId);
      const placed = await client.workflow.executeUpdateWithStart(placeOrderUpdate, {
        args: [{ requestFingerprint: input.requestFingerprint }],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', { workflowId: orderId, taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' }),
      });
      expect(placed).toEqual({ outcome: 'accepted', replayed: false });
      await client.workflow.getHandle(orderId).signal(paymentEventSignal, paymentSucceeded());
      expect(await client.workflow.getHandle<typeof orderWorkflow>(orderId).result()).toMatchObject({ status: 'COMPLETED' });

      const { paymentTimeoutMs, cancelWindowMs, notifyMaxAttempts } = input;
      const ceiling = { id: randomUUID(), paymentTimeoutMs, cancelWindowMs, notifyMaxAttempts };
      await placeCeiling(client, taskQueue, ceiling);
      await payCeiling(client, ceiling.id);
      await client.workflow.getHandle(ceilingWorkflowId(ceiling.id)).result();

      const paid = await shapeOf(orderId);
      expect(paid.shape.localActivities).toBeGreaterThan(0);
      const ceilingHistory = await shapeOf(ceilingWorkflowId(ceiling.id));
      expect(ceilingHistory.shape).toEqual(paid.shape);
      // the same commands in the same workflow tasks, not only as many
      expect(ceilingHistory.eventTypes).toEqual(paid.eventTypes);
    } finally {
      await worker.shutdown();
    }
  }, 180_000);
});
