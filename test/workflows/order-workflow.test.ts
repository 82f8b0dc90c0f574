import type { Client, WorkflowHandle } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import type { OrderWorkflowInput } from '../../workflows/order/definitions';
import {
  cancelOrderUpdate,
  orderStateQuery,
  orderWorkflowId,
  paymentEventSignal,
  placeOrderUpdate,
  retryCompensationUpdate,
} from '../../workflows/order/definitions';
import { orderWorkflow } from '../../workflows/order/workflow';
import { uniqueTaskQueue } from '../harness/env';
import { startTestWorker, testClient } from '../harness/temporal';
import { fakeOrderActivities, orderInput, paymentSucceeded } from './fake-order-activities';

// Workflow logic with mocked activities, on the real dev server (no time skipping here: timeouts are kept short).
describe('orderWorkflow with mocked activities', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  async function run(fake: ReturnType<typeof fakeOrderActivities>, overrides: Partial<OrderWorkflowInput>, body: (h: WorkflowHandle<typeof orderWorkflow>, input: OrderWorkflowInput) => Promise<void>) {
    const taskQueue = uniqueTaskQueue();
    const worker = await startTestWorker({ taskQueue, activities: fake.activities });
    const input = orderInput(overrides);
    try {
      const placed = await client.workflow.executeUpdateWithStart(placeOrderUpdate, {
        args: [{ requestFingerprint: input.requestFingerprint }],
        startWorkflowOperation: new WithStartWorkflowOperation(orderWorkflow, {
          workflowId: orderWorkflowId(input.orderId),
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      const handle = client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(input.orderId));
      (handle as unknown as { placed: unknown }).placed = placed;
      await body(handle, input);
    } finally {
      await worker.shutdown();
    }
  }

  const succeeded = paymentSucceeded;
  const statusesOf = (fake: ReturnType<typeof fakeOrderActivities>) => fake.statuses.map((s) => s.status);

  it('paid → completed: commits the stock, confirms, and completes after the cancel window', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      expect((handle as unknown as { placed: unknown }).placed).toEqual({ outcome: 'accepted', replayed: false });
      await handle.signal(paymentEventSignal, succeeded());
      const result = await handle.result();
      expect(result.status).toBe('COMPLETED');
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED']);
    expect(fake.names()).toContain('commitOrderStock');
    expect(fake.names()).not.toContain('releaseOrderStock');
    expect(fake.notifications()).toEqual(['order_confirmed']);
    // history positions are strictly increasing, so a retried status write cannot add a second history row
    expect(fake.statuses.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
  });

  it('declined: voids the payment, then releases the stock (reverse order), and cancels', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, { ...succeeded(), type: 'payment.failed', reason: 'card_declined' });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'CANCELLED', failureReason: 'card_declined' });
    });
    const names = fake.names();
    expect(names.indexOf('cancelPayment')).toBeLessThan(names.indexOf('releaseOrderStock'));
    expect(names).not.toContain('commitOrderStock');
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment_declined' });
    expect(fake.notifications()).toEqual(['order_cancelled']);
  });

  it('timeout: no webhook within PAYMENT_TIMEOUT cancels with payment_timeout', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { paymentTimeoutMs: 500 }, async (handle) => {
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment_timeout' });
    expect(fake.names()).toEqual(expect.arrayContaining(['cancelPayment', 'releaseOrderStock']));
  });

  it('cancel before payment: the update answers once compensation is done', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(answer).toEqual({ outcome: 'cancelled', status: 'CANCELLED' });
      // the compensations had run by the time the update answered
      expect(fake.names()).toEqual(expect.arrayContaining(['cancelPayment', 'releaseOrderStock']));
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'customer_cancelled' });
  });

  it('cancel after paid: refunds, restocks and ends REFUNDED', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded());
      // wait until the saga is PAID, then cancel inside the window
      for (let i = 0; i < 100 && (await handle.query(orderStateQuery)).status !== 'PAID'; i++) await new Promise((r) => setTimeout(r, 50));
      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      expect(answer).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
      expect((await handle.result()).status).toBe('REFUNDED');
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'REFUNDED']);
    expect(fake.names()).toEqual(expect.arrayContaining(['commitOrderStock', 'refundPayment', 'restockOrder']));
    expect(fake.names()).not.toContain('releaseOrderStock');
    expect(fake.notifications()).toEqual(['order_confirmed', 'order_refunded']);
  });

  it('a refunded order cannot be cancelled again', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded());
      for (let i = 0; i < 100 && (await handle.query(orderStateQuery)).status !== 'PAID'; i++) await new Promise((r) => setTimeout(r, 50));
      await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      // REFUNDED: a second cancel is rejected by the validator (the workflow may already have closed)
      await expect(handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).rejects.toBeDefined();
    });
  });

  it('duplicate webhooks: the same event id twice commits once; a later contradicting event changes nothing', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      const event = succeeded();
      await handle.signal(paymentEventSignal, event);
      await handle.signal(paymentEventSignal, event);
      await handle.signal(paymentEventSignal, { ...event, eventId: 'evt_other', type: 'payment.failed', reason: 'card_declined' });
      expect((await handle.result()).status).toBe('COMPLETED');
    });
    expect(fake.names().filter((n) => n === 'commitOrderStock')).toHaveLength(1);
    expect(fake.notifications()).toEqual(['order_confirmed']);
  });

  it('wrong amount: a success for a different amount is not accepted as paid → compensate and NEEDS_ATTENTION', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded({ amountCents: 1 }));
      expect((await handle.result()).status).toBe('NEEDS_ATTENTION');
    });
    expect(fake.names()).not.toContain('commitOrderStock');
    expect(fake.names()).toEqual(expect.arrayContaining(['cancelPayment', 'releaseOrderStock']));
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'payment_amount_mismatch' });
  });

  it('a compensation that fails puts the order in NEEDS_ATTENTION until an operator retries it', async () => {
    const fake = fakeOrderActivities({ failCompensation: { step: 'releaseOrderStock', times: 1 } });
    await run(fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, { ...succeeded(), type: 'payment.failed', reason: 'card_declined' });
      for (let i = 0; i < 100 && (await handle.query(orderStateQuery)).status !== 'NEEDS_ATTENTION'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await handle.query(orderStateQuery)).toMatchObject({ status: 'NEEDS_ATTENTION', pendingCompensations: ['release_stock'] });
      await handle.executeUpdate(retryCompensationUpdate);
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'NEEDS_ATTENTION', 'CANCELLED']);
    // the void that succeeded is not run again; only the failed release is retried
    expect(fake.names().filter((n) => n === 'cancelPayment')).toHaveLength(1);
    expect(fake.names().filter((n) => n === 'releaseOrderStock')).toHaveLength(2);
  });

  it('retrying compensation when nothing failed is rejected', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await expect(handle.executeUpdate(retryCompensationUpdate)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await handle.terminate('test done');
    });
  });

  it('rejected reservation: the placement answers with the rejection and the order ends REJECTED', async () => {
    const fake = fakeOrderActivities({ rejectWith: 'insufficient_stock' });
    await run(fake, {}, async (handle) => {
      expect((handle as unknown as { placed: unknown }).placed).toEqual({
        outcome: 'rejected',
        replayed: false,
        rejection: { code: 'insufficient_stock', message: 'not enough stock', details: [{ productId: 'p1', requested: 5, available: 1 }] },
      });
      expect((await handle.result()).status).toBe('REJECTED');
    });
    expect(fake.names()).not.toContain('requestPayment');
  });

  it('a second placement with the same fingerprint is a replay; a different fingerprint is refused', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle, input) => {
      expect(await handle.executeUpdate(placeOrderUpdate, { args: [{ requestFingerprint: input.requestFingerprint }] })).toEqual({ outcome: 'accepted', replayed: true });
      expect(await handle.executeUpdate(placeOrderUpdate, { args: [{ requestFingerprint: 'other' }] })).toEqual({ outcome: 'idempotency_key_reused' });
      await handle.terminate('test done');
    });
    expect(fake.names().filter((n) => n === 'reserveOrderStock')).toHaveLength(1);
  });
});
