import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { OrderWorkflowInput } from '../../workflows/order/definitions';
import { cancelOrderUpdate, orderStateQuery, paymentEventSignal, placeOrderUpdate, retryCompensationUpdate } from '../../workflows/order/definitions';
import { testClient } from '../harness/temporal';
import { fakeOrderActivities, paymentSucceeded } from './fake-order-activities';
import type { Fake, SagaHandle } from './saga-harness';
import { countOf, runSaga, statusesOf } from './saga-harness';

// Workflow logic with mocked activities, on the real dev server (no time skipping here: timeouts are kept short).
describe('orderWorkflow with mocked activities', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  const run = (fake: Fake, overrides: Partial<OrderWorkflowInput>, body: (h: SagaHandle, input: OrderWorkflowInput, placed: unknown) => Promise<void>) =>
    runSaga(client, fake, overrides, (handle, { input, placed }) => body(handle, input, placed));

  const succeeded = paymentSucceeded;

  it('paid → completed: commits the stock, confirms, and completes after the cancel window', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle, _input, placed) => {
      expect(placed).toEqual({ outcome: 'accepted', replayed: false });
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
    expect(names.indexOf('voidOrRefundOrderPayments')).toBeLessThan(names.indexOf('releaseOrderStock'));
    expect(names).not.toContain('commitOrderStock');
    // the history names the provider's reason, like failureReason
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'card_declined', failureReason: 'card_declined' });
    expect(fake.notifications()).toEqual(['order_cancelled']);
  });

  it('timeout: no webhook within PAYMENT_TIMEOUT, the provider says pending → voided, cancelled with payment_timeout', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { paymentTimeoutMs: 500 }, async (handle) => {
      expect((await handle.result())).toMatchObject({ status: 'CANCELLED', paymentStatus: 'voided' });
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment_timeout' });
    expect(fake.names()).toEqual(expect.arrayContaining(['checkPayment', 'voidOrRefundOrderPayments', 'releaseOrderStock']));
  });

  it('cancel before payment: the update answers once compensation is done', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(answer).toEqual({ outcome: 'cancelled', status: 'CANCELLED' });
      // the compensations had run by the time the update answered
      expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'releaseOrderStock']));
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'customer_cancelled' });
  });

  it('cancel after paid: refunds, restocks and ends REFUNDED', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded());
      // wait until the saga is PAID, then cancel inside the window
      await fake.reached('PAID');
      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      expect(answer).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
      // the provider's payment.refunded webhook confirms the refund in the order's history
      await handle.signal(paymentEventSignal, succeeded({ type: 'payment.refunded' }));
      expect((await handle.result()).status).toBe('REFUNDED');
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'REFUNDED', 'REFUNDED']);
    expect(fake.statuses.slice(-2)).toMatchObject([{ reason: 'customer_cancelled', paymentStatus: 'refunded' }, { reason: 'refund_confirmed' }]);
    const names = fake.names();
    expect(names.indexOf('restockOrder')).toBeLessThan(names.indexOf('voidOrRefundOrderPayments'));
    expect(fake.names()).not.toContain('releaseOrderStock');
    expect(fake.notifications()).toEqual(['order_confirmed', 'order_refunded']);
  });

  it('a refunded order cannot be cancelled again', async () => {
    const fake = fakeOrderActivities();
    await run(fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded());
      await fake.reached('PAID');
      await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      // REFUNDED: a second cancel is rejected by the validator (the workflow may already have closed)
      await expect(handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).rejects.toBeDefined();
      await handle.terminate('test done');
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
    expect(countOf(fake, 'commitOrderStock')).toBe(1);
    expect(fake.notifications()).toEqual(['order_confirmed']);
  });

  it('wrong amount: a success for a different amount is not accepted as paid → compensate and NEEDS_ATTENTION', async () => {
    const fake = fakeOrderActivities();
    await run(fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, succeeded({ amountCents: 1 }));
      expect((await handle.result()).status).toBe('NEEDS_ATTENTION');
    });
    expect(fake.names()).not.toContain('commitOrderStock');
    expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'releaseOrderStock']));
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'payment_amount_mismatch' });
  });

  it('a compensation that fails puts the order in NEEDS_ATTENTION until an operator retries it', async () => {
    const fake = fakeOrderActivities({ failCompensation: { step: 'releaseOrderStock', times: 1 } });
    await run(fake, {}, async (handle) => {
      await handle.signal(paymentEventSignal, { ...succeeded(), type: 'payment.failed', reason: 'card_declined' });
      await fake.reached('NEEDS_ATTENTION');
      expect(await handle.query(orderStateQuery)).toMatchObject({ status: 'NEEDS_ATTENTION', pendingCompensations: ['release_stock'] });
      await handle.executeUpdate(retryCompensationUpdate);
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'NEEDS_ATTENTION', 'CANCELLED']);
    // the void that succeeded is not run again; only the failed release is retried
    expect(countOf(fake, 'voidOrRefundOrderPayments')).toBe(1);
    expect(countOf(fake, 'releaseOrderStock')).toBe(2);
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
    await run(fake, {}, async (handle, _input, placed) => {
      expect(placed).toEqual({
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
