import { randomUUID } from 'node:crypto';
import { SAFE_FAILURES } from '../../activities/safe-failures';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createOrderActivities } from '../../activities/order-activities';
import type { Orm } from '../../src/db/orm';
import type { WorkerMetrics } from '../../src/metrics/worker-metrics';
import { createWorkerMetrics } from '../../src/metrics/worker-metrics';
import { ProviderHttpError } from '../../src/payments/http-json';
import type { Notifier } from '../../src/payments/notifier';
import type { NotificationRequest } from '../../workflows/order/activity-types';
import type { PaymentProvider } from '../../src/payments/payment-provider';
import { testConfig, testLogger, testOrm } from '../harness/env';
import { metricValue } from './metrics-text';

// The worker's business metrics, counted by the real activities against the test database (payment provider and
// notifier faked). Activities that read their Temporal context run in a MockActivityEnvironment.
describe('worker metrics from the order activities', () => {
  const config = testConfig();
  let orm: Orm;
  let metrics: WorkerMetrics;
  let failGetPayment = false;
  let notifierFails: ProviderHttpError | undefined;

  const payments = {
    getPayment: async () => {
      if (failGetPayment) throw new Error('provider down');
      return undefined;
    },
    listPayments: async () => [],
  } as unknown as PaymentProvider;
  const notifier = {
    send: async () => {
      if (notifierFails) throw notifierFails;
      return { id: `ntf_${randomUUID()}` };
    },
  } as unknown as Notifier;

  // The SDK logs every failed attempt at WARN; here the failures are the point.
  const inContext = (attempt: number) =>
    new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
  const activities = () => createOrderActivities({ orm, config, logger: testLogger(), payments, notifier, metrics });
  const text = () => metrics.registry.metrics();

  async function newOrder(): Promise<string> {
    const orderId = randomUUID();
    await activities().createOrderRecord({
      orderId,
      workflowId: `order-${orderId}`,
      customerId: 'cust-metrics',
      customerEmail: 'm@example.com',
      items: [{ productId: randomUUID(), quantity: 1 }],
      requestFingerprint: 'fp',
    });
    return orderId;
  }

  beforeAll(async () => {
    orm = await testOrm(config);
  });
  beforeEach(() => {
    metrics = createWorkerMetrics();
    failGetPayment = false;
    notifierFails = undefined;
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('orders_finished_total and saga_duration_seconds count a finishing status once, however often it is recorded', async () => {
    const orderId = await newOrder();
    const act = activities();
    await act.recordOrderStatus(orderId, { status: 'RESERVED', seq: 1 });
    await act.recordOrderStatus(orderId, { status: 'CANCELLED', seq: 2, reason: 'payment_declined' });
    await act.recordOrderStatus(orderId, { status: 'CANCELLED', seq: 2, reason: 'payment_declined' }); // a retry
    const out = await text();
    expect(metricValue(out, 'orders_finished_total', { status: 'CANCELLED' })).toBe(1);
    expect(metricValue(out, 'orders_finished_total', { status: 'RESERVED' })).toBeUndefined();
    expect(metricValue(out, 'saga_duration_seconds_count', { status: 'CANCELLED' })).toBe(1);
    const seconds = metricValue(out, 'saga_duration_seconds_sum', { status: 'CANCELLED' })!;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(60);
  });

  it('compensations_total counts each attempt of each compensation step by result', async () => {
    const orderId = await newOrder();
    const act = activities();
    await act.releaseOrderStock(orderId);
    await act.restockOrder(orderId);
    // no charge was ever made for the order: the payment compensation succeeds without doing anything
    await act.voidOrRefundOrderPayments(orderId);
    failGetPayment = true;
    await expect(act.voidOrRefundOrderPayments(orderId, 'pay_x')).rejects.toThrow(SAFE_FAILURES.activity_error);
    // a new refund after the provider reported the first one failed, and the late-payment refund
    await expect(act.voidOrRefundOrderPayments(orderId, 'pay_x', 2)).rejects.toThrow(SAFE_FAILURES.activity_error);
    await expect(act.refundPayment(orderId, 'pay_x')).rejects.toThrow(SAFE_FAILURES.activity_error);
    const out = await text();
    expect(metricValue(out, 'compensations_total', { step: 'release_stock', result: 'success' })).toBe(1);
    expect(metricValue(out, 'compensations_total', { step: 'restock', result: 'success' })).toBe(1);
    expect(metricValue(out, 'compensations_total', { step: 'void_or_refund_payment', result: 'success' })).toBe(1);
    expect(metricValue(out, 'compensations_total', { step: 'void_or_refund_payment', result: 'failure' })).toBe(1);
    expect(metricValue(out, 'compensations_total', { step: 'refund_payment', result: 'failure' })).toBe(2);
    expect(out).not.toContain('cancel_payment');
  });

  it('notifications_total: sent, retry (Temporal will try again), failed (given up and recorded)', async () => {
    const orderId = await newOrder();
    const request: NotificationRequest = {
      orderId,
      kind: 'order_confirmed',
      to: 'm@example.com',
      data: {},
      maxAttempts: 3,
    };
    expect(await inContext(1).run(activities().sendNotification, request)).toBe('sent');

    notifierFails = new ProviderHttpError({ code: 'unavailable', message: 'down', status: 503, retryable: true });
    await expect(
      inContext(2).run(activities().sendNotification, { ...request, kind: 'order_cancelled' as const }),
    ).rejects.toThrow(SAFE_FAILURES.provider_error);
    expect(
      await inContext(3).run(activities().sendNotification, { ...request, kind: 'order_cancelled' as const }),
    ).toBe('failed');

    const out = await text();
    expect(metricValue(out, 'notifications_total', { result: 'sent' })).toBe(1);
    expect(metricValue(out, 'notifications_total', { result: 'retry' })).toBe(1);
    expect(metricValue(out, 'notifications_total', { result: 'failed' })).toBe(1);
  });

  it('disputes_total: opened, then lost, once each however often an event is applied; the saga writes meanwhile stay behind', async () => {
    const orderId = await newOrder();
    const act = activities();
    const dispute = { disputeId: `dp_${randomUUID()}`, amountCents: 0, currency: 'EUR', reason: 'fraudulent' };
    const created = { ...dispute, eventId: 'evt_1', type: 'dispute.created' as const, status: 'open' as const };
    const lost = { ...dispute, eventId: 'evt_2', type: 'dispute.closed' as const, status: 'lost' as const };
    await act.recordOrderStatus(orderId, { status: 'RESERVED', seq: 1 });
    await act.recordOrderStatus(orderId, { status: 'PAID', seq: 2 });
    expect(await act.applyDisputeEvent(orderId, created)).toMatchObject({ opened: true, closed: false, orderStatus: 'DISPUTED' });
    expect(await act.applyDisputeEvent(orderId, created)).toMatchObject({ opened: false, closed: false });
    await act.recordOrderStatus(orderId, { status: 'COMPLETED', seq: 3 }); // the saga's window ends meanwhile
    const row = async () =>
      (await orm.em.fork().execute<{ status: string; status_before_dispute: string | null }[]>(`SELECT status, status_before_dispute FROM orders WHERE id = ?`, [orderId]))[0];
    expect(await row()).toEqual({ status: 'DISPUTED', status_before_dispute: 'COMPLETED' });
    expect(await act.applyDisputeEvent(orderId, lost)).toMatchObject({ opened: false, closed: true, disputeStatus: 'lost', orderStatus: 'CHARGED_BACK' });
    expect(await act.applyDisputeEvent(orderId, lost)).toMatchObject({ opened: false, closed: false });
    await act.recordOrderStatus(orderId, { status: 'COMPLETED', seq: 4 });
    expect((await row()).status).toBe('CHARGED_BACK');
    const out = await text();
    expect(metricValue(out, 'disputes_total', { outcome: 'opened' })).toBe(1);
    expect(metricValue(out, 'disputes_total', { outcome: 'lost' })).toBe(1);
    expect(metricValue(out, 'disputes_total', { outcome: 'won' })).toBeUndefined();
  });
});
