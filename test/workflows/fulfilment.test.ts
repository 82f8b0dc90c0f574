import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FulfilmentTimers, OrderItemRequest, PricedLine } from '../../workflows/order/definitions';
import {
  cancelOrderUpdate,
  dispatchShipmentUpdate,
  markShipmentDeliveredUpdate,
  paymentEventSignal,
  receiveReturnUpdate,
  requestReturnUpdate,
  shipmentEventSignal,
} from '../../workflows/order/definitions';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { orderWorkflowId, placeOrderUpdate } from '../../workflows/order/definitions';
import { orderWorkflow } from '../../workflows/order/workflow';
import { uniqueTaskQueue } from '../harness/env';
import { startTestWorker, testClient } from '../harness/temporal';
import { fakeOrderActivities, orderInput, paymentSucceeded } from './fake-order-activities';
import type { SagaHandle } from './saga-harness';
import { runSaga, statusesOf } from './saga-harness';

// Goods that ship, with mocked activities (order-saga-fulfilment patch): PAID waits for the warehouse, shipments,
// deliveries, cancels of undispatched units, returns and the clocks.
const BOOK = '00000000-0000-4000-8000-00000000000b';
const MUG = '00000000-0000-4000-8000-00000000000c';
const EBOOK = '00000000-0000-4000-8000-00000000000e';
const book = (quantity = 2): PricedLine => ({ productId: BOOK, quantity, unitPriceCents: 1000, requiresShipping: true });
const mug = (quantity = 1): PricedLine => ({ productId: MUG, quantity, unitPriceCents: 500, requiresShipping: true });
const ebook: PricedLine = { productId: EBOOK, quantity: 1, unitPriceCents: 700, requiresShipping: false };

const timers = (overrides: Partial<FulfilmentTimers> = {}): FulfilmentTimers => ({
  returnWindowMs: 60_000,
  deliveryTimeoutMs: 60_000,
  returnReceiptTimeoutMs: 60_000,
  ...overrides,
});
const units = (productId: string, quantity: number): OrderItemRequest[] => [{ productId, quantity }];
const ship = (handle: SagaHandle, shipmentId: string, items: OrderItemRequest[], carrier?: string) =>
  handle.executeUpdate(dispatchShipmentUpdate, { updateId: `shipment-${shipmentId}`, args: [{ shipmentId, items, ...(carrier ? { carrier } : {}) }] });
const delivered = (shipmentId: string, eventId = `evt_${shipmentId}`) => ({ eventId, type: 'shipment.delivered' as const, shipmentId, at: new Date().toISOString() });

/** The refusal type of a failed update (its validator's ApplicationFailure). */
async function refusal(update: Promise<unknown>): Promise<string | undefined> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
    throw err;
  }
  return undefined;
}

describe('orderWorkflow: goods that ship', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('stays PAID past the cancel window; 1 of 2 → PARTIALLY_SHIPPED, the other → SHIPPED, delivered → DELIVERED, window → COMPLETED', async () => {
    const fake = fakeOrderActivities({ lines: [book(2)] });
    await runSaga(client, fake, { cancelWindowMs: 50, fulfilment: timers({ returnWindowMs: 300 }) }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 2000 }));
      await fake.reached('PAID');
      await new Promise((r) => setTimeout(r, 300)); // well past CANCEL_WINDOW
      expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID']);

      const first = await ship(handle, 's1', units(BOOK, 1));
      expect(first).toMatchObject({ id: 's1', status: 'dispatched', items: units(BOOK, 1), carrier: 'sim-post', trackingNumber: 'SIM-1' });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'PARTIALLY_SHIPPED', reason: 'shipment_dispatched' });
      // The same shipment again (same update id): answered, not dispatched twice.
      expect(await ship(handle, 's1', units(BOOK, 1))).toEqual(first);
      await ship(handle, 's2', units(BOOK, 1));
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'SHIPPED' });

      await handle.signal(shipmentEventSignal, delivered('s1'));
      await handle.signal(shipmentEventSignal, delivered('s1')); // a duplicate webhook
      await fake.reached('SHIPPED', 'shipment_delivered');
      await handle.signal(shipmentEventSignal, delivered('s2'));
      await fake.reached('DELIVERED');
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED' });
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'PARTIALLY_SHIPPED', 'SHIPPED', 'SHIPPED', 'DELIVERED', 'COMPLETED']);
    expect(fake.statuses.at(-1)).toMatchObject({ reason: 'return_window_ended' });
    expect(fake.names().filter((n) => n === 'dispatchShipment')).toHaveLength(2);
    expect(fake.notifications()).toEqual(['order_confirmed', 'order_shipped', 'order_shipped', 'order_delivered']);
  });

  it('an order with nothing that ships lives as before: COMPLETED at the window end, no fulfilment marker', async () => {
    const fake = fakeOrderActivities({ lines: [ebook] });
    let markers: string[] = [];
    await runSaga(client, fake, { cancelWindowMs: 100, fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 700 }));
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED' });
      const history = await handle.fetchHistory();
      markers = (history.events ?? []).flatMap((e) => (e.markerRecordedEventAttributes?.details?.patch_data?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString()));
    });
    expect(statusesOf(fake)).toEqual(['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED']);
    expect(markers.join(' ')).not.toContain('order-saga-fulfilment');
  });

  it('refuses synchronously: more than ordered → quantity_exceeds_order, a line that does not ship too, before payment → not_shippable', async () => {
    const fake = fakeOrderActivities({ lines: [book(2), ebook] });
    await runSaga(client, fake, { fulfilment: timers() }, async (handle) => {
      expect(await refusal(ship(handle, 's0', units(BOOK, 1)))).toBe('not_shippable'); // AWAITING_PAYMENT
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 2700 }));
      await fake.reached('PAID');
      expect(await refusal(ship(handle, 's1', units(BOOK, 3)))).toBe('quantity_exceeds_order');
      expect(await refusal(ship(handle, 's2', units(EBOOK, 1)))).toBe('quantity_exceeds_order');
      await ship(handle, 's3', units(BOOK, 2));
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'SHIPPED' });
      expect(await refusal(ship(handle, 's4', units(BOOK, 1)))).toBe('not_shippable'); // SHIPPED: nothing left
      // The whole order cannot be cancelled once goods have left.
      expect(await refusal(handle.executeUpdate(cancelOrderUpdate, { args: [{}] }))).toBe('not_cancellable');
      await handle.terminate('test done');
    });
    expect(fake.names().filter((n) => n === 'dispatchShipment')).toHaveLength(1);
  });

  it('cancels one undispatched line of a two-line order: refunded, the rest goes on; dispatched units → not_cancellable', async () => {
    const fake = fakeOrderActivities({ lines: [book(2), mug(1)] });
    await runSaga(client, fake, { fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 2500 }));
      await fake.reached('PAID');
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(MUG, 1) }] })).toEqual({ outcome: 'items_cancelled', status: 'PAID', amountCents: 500 });
      expect(fake.calls.find((c) => c.name === 'cancelOrderItems')?.args[0]).toMatchObject({ items: units(MUG, 1), amountCents: 500, refund: true });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'PAID', reason: 'items_cancelled', paymentStatus: 'partially_refunded' });
      expect(await refusal(handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(MUG, 1) }] }))).toBe('quantity_exceeds_order');
      await ship(handle, 's1', units(BOOK, 1));
      expect(await refusal(handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(BOOK, 2) }] }))).toBe('not_cancellable');
      // The last undispatched unit cancelled: everything left has shipped.
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(BOOK, 1) }] })).toMatchObject({ outcome: 'items_cancelled', status: 'SHIPPED' });
      await handle.terminate('test done');
    });
  });

  it('manual capture: captured at the first dispatch, for the whole order less what was cancelled (not refunded)', async () => {
    const fake = fakeOrderActivities({ lines: [book(2), mug(1)] });
    await runSaga(client, fake, { paymentCapture: 'manual', authorizationTtlMs: 60_000, cancelWindowMs: 50, fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.authorized', amountCents: 2500 }));
      await fake.reached('PAID');
      await new Promise((r) => setTimeout(r, 200)); // the window's end captures nothing for goods that ship
      expect(fake.names()).not.toContain('captureOrderPayment');
      await handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(MUG, 1) }] });
      expect(fake.calls.find((c) => c.name === 'cancelOrderItems')?.args[0]).toMatchObject({ refund: false });
      await ship(handle, 's1', units(BOOK, 1));
      await ship(handle, 's2', units(BOOK, 1));
      await handle.terminate('test done');
    });
    const captures = fake.calls.filter((c) => c.name === 'captureOrderPayment');
    expect(captures).toHaveLength(1);
    expect(captures[0].args[0]).toMatchObject({ amountCents: 2000 });
    expect(captures[0].args[1]).toMatchObject({ status: 'PAID', reason: 'capture_at_dispatch' });
  });

  it('every unit that ships cancelled before a dispatch: the rest completes at the cancel window, captured without them', async () => {
    const fake = fakeOrderActivities({ lines: [book(1), ebook] });
    await runSaga(client, fake, { paymentCapture: 'manual', authorizationTtlMs: 60_000, cancelWindowMs: 300, fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ type: 'payment.authorized', amountCents: 1700 }));
      await fake.reached('PAID');
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{ items: units(BOOK, 1) }] })).toMatchObject({ outcome: 'items_cancelled', status: 'PAID' });
      await fake.reached('COMPLETED');
    });
    const captures = fake.calls.filter((c) => c.name === 'captureOrderPayment');
    expect(captures).toHaveLength(1);
    expect(captures[0].args[0]).toMatchObject({ amountCents: 700 });
    expect(captures[0].args[1]).toMatchObject({ status: 'PAID', reason: 'capture_at_window_end' });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'COMPLETED' });
  });

  it('a full cancel before the first dispatch, after the cancel window: REFUNDED as before', async () => {
    const fake = fakeOrderActivities({ lines: [book(1)] });
    await runSaga(client, fake, { cancelWindowMs: 50, fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 1000 }));
      await fake.reached('PAID');
      await new Promise((r) => setTimeout(r, 200));
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
    });
    expect(fake.names()).toEqual(expect.arrayContaining(['voidOrRefundOrderPayments', 'restockOrder']));
  });

  it('returns: 1 unit received → stays DELIVERED, refunded in part; the rest → REFUNDED; more than delivered → 422', async () => {
    const fake = fakeOrderActivities({ lines: [book(2)] });
    await runSaga(client, fake, { fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 2000 }));
      await fake.reached('PAID');
      expect(await refusal(handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r0', items: units(BOOK, 1), reason: 'x' }] }))).toBe('not_returnable');
      await ship(handle, 's1', units(BOOK, 2));
      await handle.executeUpdate(markShipmentDeliveredUpdate, { args: [{ shipmentId: 's1' }] });
      await fake.reached('DELIVERED');
      expect(await refusal(handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r1', items: units(BOOK, 3), reason: 'x' }] }))).toBe('quantity_exceeds_order');
      const opened = await handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r1', items: units(BOOK, 1), reason: 'too big' }] });
      expect(opened).toMatchObject({ id: 'r1', status: 'requested', refundCents: 1000 });
      const received = await handle.executeUpdate(receiveReturnUpdate, { args: [{ returnId: 'r1' }] });
      expect(received).toMatchObject({ status: 'received' });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'DELIVERED', reason: 'return_received', paymentStatus: 'partially_refunded' });
      expect(await refusal(handle.executeUpdate(receiveReturnUpdate, { args: [{ returnId: 'r1' }] }))).toBe('not_receivable');
      await handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r2', items: units(BOOK, 1), reason: 'also' }] });
      await handle.executeUpdate(receiveReturnUpdate, { args: [{ returnId: 'r2' }] });
      expect(await handle.result()).toMatchObject({ status: 'REFUNDED', paymentStatus: 'refunded' });
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'REFUNDED', reason: 'returned' });
    expect(fake.calls.filter((c) => c.name === 'receiveReturn').map((c) => (c.args[0] as { refundCents: number }).refundCents)).toEqual([1000, 1000]);
    expect(fake.notifications()).toContain('return_received');
  });

  it('a return after the window → not_returnable; a return never received expires without refund, then the saga closes', async () => {
    const fake = fakeOrderActivities({ lines: [book(2)] });
    await runSaga(client, fake, { fulfilment: timers({ returnWindowMs: 400, returnReceiptTimeoutMs: 2000 }) }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 2000 }));
      await fake.reached('PAID');
      await ship(handle, 's1', units(BOOK, 2));
      await handle.signal(shipmentEventSignal, delivered('s1'));
      await fake.reached('DELIVERED');
      await handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r1', items: units(BOOK, 1), reason: 'late' }] });
      await fake.reached('COMPLETED');
      expect(await refusal(handle.executeUpdate(requestReturnUpdate, { args: [{ returnId: 'r2', items: units(BOOK, 1), reason: 'x' }] }))).toBe('not_returnable');
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED' });
    });
    expect(fake.names()).toContain('expireReturn');
    expect(fake.names()).not.toContain('receiveReturn');
  });

  it('a shipment never delivered → NEEDS_ATTENTION (delivery_overdue) after DELIVERY_TIMEOUT', async () => {
    const fake = fakeOrderActivities({ lines: [book(1)] });
    await runSaga(client, fake, { fulfilment: timers({ deliveryTimeoutMs: 300 }) }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 1000 }));
      await fake.reached('PAID');
      await ship(handle, 's1', units(BOOK, 1), 'lost-in-transit');
      expect(await handle.result()).toMatchObject({ status: 'NEEDS_ATTENTION', failureReason: 'delivery_overdue' });
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', reason: 'delivery_overdue' });
  });

  it('a shipment asked while the sale is being committed (the database says PAID already) is carried out, not refused', async () => {
    const fake = fakeOrderActivities({ lines: [book(1)] });
    let shipped: Promise<unknown> | undefined;
    // The warehouse asks the moment the sale's commit starts: the saga has not seen its result yet.
    const original = fake.activities.commitOrderStock;
    fake.activities.commitOrderStock = async (...args) => {
      await original(...args);
      await new Promise((r) => setTimeout(r, 300));
    };
    await runSaga(client, fake, { fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 1000 }));
      await fake.reached('PAID');
      shipped = ship(handle, 's1', units(BOOK, 1));
      await expect(shipped).resolves.toMatchObject({ id: 's1', status: 'dispatched' });
      await handle.terminate('test done');
    });
    expect(fake.statuses.at(-1)).toMatchObject({ status: 'SHIPPED' });
  });

  it('a shipment that comes with the payment success in one workflow task (the database said PAID before a worker died) waits for the stage', async () => {
    // A worker committed the sale (PAID in the database) and died before its workflow task completed: the
    // warehouse's request then reaches the replay in the same task as the payment webhook, before the saga decided.
    const fake = fakeOrderActivities({ lines: [book(1)] });
    const taskQueue = uniqueTaskQueue();
    const input = orderInput({ fulfilment: timers() });
    const workflowId = orderWorkflowId(input.orderId);
    let worker = await startTestWorker({ taskQueue, activities: fake.activities });
    try {
      await client.workflow.executeUpdateWithStart(placeOrderUpdate, {
        args: [{ requestFingerprint: input.requestFingerprint }],
        startWorkflowOperation: new WithStartWorkflowOperation(orderWorkflow, { workflowId, taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' }),
      });
      await fake.reached('AWAITING_PAYMENT');
      await worker.shutdown();
      const handle = client.workflow.getHandle<typeof orderWorkflow>(workflowId);
      // With no worker polling, the webhook's signal and the warehouse's update wait for the same workflow task.
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 1000 }));
      const shipped = ship(handle, 's1', units(BOOK, 1));
      shipped.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      worker = await startTestWorker({ taskQueue, activities: fake.activities });
      await expect(shipped).resolves.toMatchObject({ id: 's1', status: 'dispatched' });
      expect(fake.statuses.at(-1)).toMatchObject({ status: 'SHIPPED' });
      await handle.terminate('test done');
    } finally {
      await worker.shutdown();
    }
  });

  it('a carrier that cannot be reached fails the request and leaves the order as it was', async () => {
    const fake = fakeOrderActivities({ lines: [book(1)], carrierDown: true });
    await runSaga(client, fake, { fulfilment: timers() }, async (handle) => {
      await handle.signal(paymentEventSignal, paymentSucceeded({ amountCents: 1000 }));
      await fake.reached('PAID');
      await expect(ship(handle, 's1', units(BOOK, 1))).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      // Nothing was taken: the full cancel is still the customer's.
      expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{}] })).toEqual({ outcome: 'refunded', status: 'REFUNDED' });
    });
  });
});
