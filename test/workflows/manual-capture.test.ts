import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelOrderUpdate, captureOrderUpdate, paymentEventSignal } from '../../workflows/order/definitions';
import { testClient } from '../harness/temporal';
import { fakeOrderActivities, paymentSucceeded } from './fake-order-activities';
import { runSaga, statusesOf } from './saga-harness';

/** The provider's authorization webhook for the fake activities' order (manual capture). */
const authorized = () => paymentSucceeded({ type: 'payment.authorized' });
const manual = { paymentCapture: 'manual' as const };

// Manual capture with mocked activities (order-saga-manual-capture patch): authorized at placement, captured later.
describe('orderWorkflow: manual capture', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('asks for an authorization; PAID with payment authorized; captured when the window ends, then COMPLETED', async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { ...manual, cancelWindowMs: 300 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED', paymentStatus: 'succeeded' });
    });
    expect(fake.calls.find((c) => c.name === 'requestPayment')?.args[0]).toMatchObject({ capture: 'manual' });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PAID', 'COMPLETED']);
    expect(fake.statuses[2]).toMatchObject({ status: 'PAID', paymentStatus: 'authorized' });
    expect(fake.statuses[3]).toMatchObject({ status: 'PAID', paymentStatus: 'succeeded', reason: 'capture_at_window_end', capturedCents: 2500 });
    expect(fake.calls.find((c) => c.name === 'captureOrderPayment')?.args[0]).toEqual({ orderId: expect.any(String), paymentId: 'pay_test', amountCents: 2500 });
    expect(fake.names().filter((n) => n === 'voidOrRefundOrderPayments' || n === 'restockOrder')).toEqual([]);
  });

  it('a cancel before the capture voids the authorization: CANCELLED (customer_cancelled), restocked, nothing refunded', async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { ...manual, cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      await fake.reached('PAID');
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'cancelled', status: 'CANCELLED' });
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'customer_cancelled', paymentStatus: 'voided' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'CANCELLED']);
    expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'restockOrder']));
    expect(fake.names()).not.toContain('captureOrderPayment');
  });

  it('AUTHORIZATION_TTL before the window ends: captured while still PAID (capture_before_hold_expires), then COMPLETED', async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { ...manual, cancelWindowMs: 1500, authorizationTtlMs: 200 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      await fake.reached('PAID', 'capture_before_hold_expires');
      expect(statusesOf(fake)).not.toContain('COMPLETED'); // captured well before the window's end
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED', paymentStatus: 'succeeded' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PAID', 'COMPLETED']);
    expect(fake.names().filter((n) => n === 'captureOrderPayment')).toHaveLength(1);
  });

  it('a cancel after the TTL capture refunds: REFUNDED', async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { ...manual, cancelWindowMs: 60_000, authorizationTtlMs: 100 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      await fake.reached('PAID', 'capture_before_hold_expires');
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'REFUNDED', paymentStatus: 'refunded' });
  });

  it('the capture refused (authorization_expired): CANCELLED with that reason, the hold voided, restocked', async () => {
    const fake = fakeOrderActivities({ captureExpired: true });
    await runSaga(client, fake, { ...manual, cancelWindowMs: 200 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', failureReason: 'authorization_expired', paymentStatus: 'voided' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'CANCELLED']);
    expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'restockOrder']));
  });

  it("an operator's capture: captured at once (capture_by_operator); a second one is refused not_capturable", async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { ...manual, cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, authorized());
      await fake.reached('PAID');
      expect(await handle.executeUpdate(captureOrderUpdate)).toEqual({ outcome: 'captured', status: 'PAID', paymentStatus: 'succeeded' });
      await expect(handle.executeUpdate(captureOrderUpdate)).rejects.toThrow(WorkflowUpdateFailedError);
      await handle.cancel();
      expect(await handle.result()).toMatchObject({ status: 'REFUNDED', failureReason: 'cancelled_by_operator' });
    });
    expect(fake.statuses[3]).toMatchObject({ status: 'PAID', reason: 'capture_by_operator', paymentStatus: 'succeeded' });
  });

  it('an automatic-capture saga refuses a capture (not_capturable) and asks for no authorization', async () => {
    const fake = fakeOrderActivities();
    await runSaga(client, fake, { cancelWindowMs: 60_000 }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded());
      await fake.reached('PAID');
      await expect(handle.executeUpdate(captureOrderUpdate)).rejects.toThrow(WorkflowUpdateFailedError);
      await handle.cancel();
      await handle.result();
    });
    expect(fake.calls.find((c) => c.name === 'requestPayment')?.args[0]).not.toHaveProperty('capture');
    expect(fake.statuses[2]).toMatchObject({ status: 'PAID', paymentStatus: 'succeeded' });
  });
});
