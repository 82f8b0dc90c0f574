import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createOrderActivities } from '../../activities/order-activities';
import type { Orm } from '../../src/db/orm';
import type { OrderActivities } from '../../workflows/order/activity-types';
import { makeProduct, stockOf } from '../catalog/fixtures';
import { testConfig, testLogger, testOrm } from '../harness/env';
import { fakeNotifier, fakeProvider } from './fakes';

// The order activities' database work against the test database (provider and notifier faked; their decisions are
// unit-tested in order-activities.unit.test.ts), each run in a MockActivityEnvironment, as Temporal would run it.
describe('order activities on the database', () => {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  let orm: Orm;
  let activities: OrderActivities;
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args);

  beforeAll(async () => {
    orm = await testOrm();
    activities = createOrderActivities({
      orm,
      config: testConfig({ MAX_ORDER_TOTAL_CENTS: '100000' }),
      logger: testLogger(),
      payments: fakeProvider().provider,
      notifier: fakeNotifier().notifier,
    });
  });
  afterAll(async () => {
    await orm?.close();
  });

  describe('reserveOrderStock', () => {
    it('a total above MAX_ORDER_TOTAL_CENTS is a non-retryable order_total_too_large, and nothing is reserved', async () => {
      const product = await makeProduct(orm, { priceCents: 60_000, stock: 5 });
      const orderId = randomUUID();
      await run(activities.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'c', customerEmail: 'c@example.com', items: [], requestFingerprint: 'fp' });
      const failure = await run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 2 }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'order_total_too_large', nonRetryable: true });
      expect(await stockOf(orm, product.id)).toMatchObject({ on_hand: 5, reserved: 0 });
      // at the limit it is fine
      expect(await run(activities.reserveOrderStock, orderId, [{ productId: product.id, quantity: 1 }])).toEqual({ totalCents: 60_000, currency: 'EUR' });
    });
  });
});
