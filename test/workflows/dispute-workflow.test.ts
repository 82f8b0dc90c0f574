import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { DisputeEvent } from '../../workflows/order/definitions';
import { disputeEventSignal, disputeWorkflowId } from '../../workflows/order/definitions';
import { disputeWorkflow } from '../../workflows/dispute';
import { uniqueTaskQueue } from '../harness/env';
import { startTestWorker, testClient } from '../harness/temporal';
import { fakeOrderActivities } from './fake-order-activities';

// The dispute workflow with mocked activities: started by signal-with-start as the API does, whatever event comes
// first; duplicates are applied once; the customer hears of the opening and of the close.
describe('disputeWorkflow', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  const event = (disputeId: string, type: DisputeEvent['type'], status: DisputeEvent['status']): DisputeEvent => ({
    eventId: `evt_${randomUUID()}`,
    type,
    disputeId,
    status,
    amountCents: 900,
    currency: 'EUR',
    reason: 'fraudulent',
  });

  async function run(events: DisputeEvent[], body: (result: Promise<unknown>) => Promise<void>) {
    const fake = fakeOrderActivities();
    const taskQueue = uniqueTaskQueue();
    const worker = await startTestWorker({ taskQueue, activities: fake.activities });
    const disputeId = events[0].disputeId;
    const orderId = randomUUID();
    try {
      let handle;
      for (const e of events) {
        handle = await client.workflow.signalWithStart(disputeWorkflow, {
          workflowId: disputeWorkflowId(disputeId),
          taskQueue,
          args: [{ orderId, disputeId, notifyMaxAttempts: 3 }],
          signal: disputeEventSignal,
          signalArgs: [e],
        });
      }
      await body(handle!.result());
    } finally {
      await worker.shutdown();
    }
    return fake;
  }

  it('created, then closed won: opens, notifies, closes, notifies, ends', async () => {
    const id = `dp_${randomUUID()}`;
    const created = event(id, 'dispute.created', 'open');
    const fake = await run([created, created, event(id, 'dispute.closed', 'won')], async (result) => {
      expect(await result).toEqual({ disputeStatus: 'won' });
    });
    expect(fake.names().filter((n) => n === 'applyDisputeEvent')).toHaveLength(2); // the duplicate was dropped
    expect(fake.notifications()).toEqual(['dispute_opened', 'dispute_closed']);
  });

  it('closed lost before created: the close opens and closes it; the late created changes nothing', async () => {
    const id = `dp_${randomUUID()}`;
    const fake = await run([event(id, 'dispute.closed', 'lost'), event(id, 'dispute.created', 'open')], async (result) => {
      expect(await result).toEqual({ disputeStatus: 'lost' });
    });
    expect(fake.notifications()).toEqual(['dispute_opened', 'dispute_closed']);
  });

  it('stays open, waiting for the close, while only created has come', async () => {
    const id = `dp_${randomUUID()}`;
    await run([event(id, 'dispute.created', 'open')], async (result) => {
      result.catch(() => undefined); // terminated below
      const handle = client.workflow.getHandle(disputeWorkflowId(id));
      await new Promise((r) => setTimeout(r, 500));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test over');
    });
  });
});
