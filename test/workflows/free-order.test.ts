import type { Client } from '@temporalio/client';
import { cancelOrderUpdate } from '../../workflows/order/definitions';
import { testClient } from '../harness/temporal';
import { fakeOrderActivities } from './fake-order-activities';
import { runSaga, statusesOf } from './saga-harness';

// A free order (total 0) with mocked activities: no payment is asked for (order-saga-free-orders patch).
describe('orderWorkflow: a free order', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('goes RESERVED → PAID with payment not_required, never asks the provider, and completes after the window', async () => {
    const fake = fakeOrderActivities({ totalCents: 0 });
    await runSaga(client, fake, {}, async (handle, { placed }) => {
      expect(placed).toEqual({ outcome: 'accepted', replayed: false });
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED', paymentStatus: 'not_required' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'PAID', 'COMPLETED']);
    expect(fake.statuses[1]).toMatchObject({ status: 'PAID', paymentStatus: 'not_required' });
    expect(fake.names()).toContain('commitOrderStock');
    expect(fake.names().filter((n) => n === 'requestPayment' || n === 'voidOrRefundOrderPayments' || n === 'checkPayment')).toEqual([]);
    expect(fake.notifications()).toEqual(['order_confirmed']);
  });

  it('cancelled within the window: restocks and ends CANCELLED, nothing to refund', async () => {
    const fake = fakeOrderActivities({ totalCents: 0 });
    await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
      const answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{}] });
      expect(answer).toEqual({ outcome: 'cancelled', status: 'CANCELLED' });
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'customer_cancelled', paymentStatus: 'not_required' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'PAID', 'CANCELLED']);
    expect(fake.names()).toContain('restockOrder');
    expect(fake.names().filter((n) => n === 'requestPayment' || n === 'voidOrRefundOrderPayments' || n === 'releaseOrderStock')).toEqual([]);
    expect(fake.notifications()).toEqual(['order_confirmed', 'order_cancelled']);
  });

  it('cancelled through Temporal after PAID: restocks and ends CANCELLED (cancelled_by_operator)', async () => {
    const fake = fakeOrderActivities({ totalCents: 0 });
    await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await fake.reached('PAID');
      await handle.cancel();
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'cancelled_by_operator' });
    });
    expect(fake.names()).toContain('restockOrder');
  });
});
