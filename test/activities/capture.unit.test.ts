import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createOrderActivities } from '../../activities/order-activities';
import type { OrderActivities, StatusChange } from '../../workflows/order/activity-types';
import { testConfig, testLogger } from '../harness/env';
import { fakeNotifier, fakeProvider, recordingOrm } from './fakes';

// The manual-capture activity and the compensation of a held payment, on an in-memory provider and a recording ORM.
describe('captureOrderPayment and the void of an authorization', () => {
  let provider: ReturnType<typeof fakeProvider>;
  let db: ReturnType<typeof recordingOrm>;
  let activities: OrderActivities;
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);
  const captured: StatusChange = { status: 'PAID', seq: 4, reason: 'capture_at_window_end', paymentStatus: 'succeeded' };
  // recordStatus's one statement: the history row and the order's status together.
  const statusWrites = () => db.statements.filter((s) => s.sql.includes('INSERT INTO order_history') && s.sql.includes('UPDATE orders SET'));

  beforeEach(() => {
    provider = fakeProvider();
    db = recordingOrm();
    activities = createOrderActivities({ orm: db.orm, config: testConfig(), logger: testLogger(), payments: provider.provider, notifier: fakeNotifier().notifier });
  });

  it('captures under the key capture:{orderId} and writes the PAID note with the captured amount in one statement', async () => {
    const orderId = randomUUID();
    const paymentId = provider.add(orderId, 'authorized');
    expect(await run(activities.captureOrderPayment, { orderId, paymentId, amountCents: 1000 }, captured)).toEqual({ capturedCents: 1000 });
    expect(provider.statusOf(paymentId)).toBe('succeeded');
    expect(provider.captureKeys).toEqual([`capture:${orderId}`]);
    const writes = statusWrites();
    expect(writes).toHaveLength(1);
    expect(writes[0].params).toEqual(expect.arrayContaining([orderId, 4, 'PAID', 'capture_at_window_end', 'succeeded', 1000]));
  });

  it('a retry after the provider captured answers the same capture and records it once more (idempotent by seq)', async () => {
    const orderId = randomUUID();
    const paymentId = provider.add(orderId, 'authorized');
    await run(activities.captureOrderPayment, { orderId, paymentId, amountCents: 1000 }, captured);
    expect(await run(activities.captureOrderPayment, { orderId, paymentId, amountCents: 1000 }, captured)).toEqual({ capturedCents: 1000 });
    expect(provider.captureKeys).toEqual([`capture:${orderId}`, `capture:${orderId}`]);
  });

  it('a lapsed hold fails non-retryably as authorization_expired and writes nothing', async () => {
    const orderId = randomUUID();
    const paymentId = provider.add(orderId, 'authorized');
    provider.lapse(paymentId);
    const failure = await run(activities.captureOrderPayment, { orderId, paymentId, amountCents: 1000 }, captured).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'authorization_expired', nonRetryable: true });
    expect(statusWrites()).toEqual([]);
  });

  it('the compensation voids an authorized payment: the hold is released, nothing refunded', async () => {
    const orderId = randomUUID();
    const paymentId = provider.add(orderId, 'authorized');
    expect(await run(activities.voidOrRefundOrderPayments, orderId, paymentId)).toEqual({ status: 'voided' });
    expect(provider.statusOf(paymentId)).toBe('voided');
    expect(provider.refundKeys).toEqual([]);
  });

  it('a lapsed hold needs no void: the compensation answers it voided', async () => {
    const orderId = randomUUID();
    const paymentId = provider.add(orderId, 'authorized');
    provider.lapse(paymentId);
    expect(await run(activities.voidOrRefundOrderPayments, orderId, paymentId)).toEqual({ status: 'voided' });
    expect(provider.refundKeys).toEqual([]);
  });
});
