import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createFulfilmentActivities } from '../../activities/fulfilment-activities';
import { createOrderActivities } from '../../activities/order-activities';
import { restockOrder } from '../../src/catalog/stock';
import type { Orm } from '../../src/db/orm';
import { findOrder } from '../../src/orders/order-queries';
import { eventBody } from '../../src/outbox/event-payload';
import { toOrderJson } from '../../src/orders/order-view';
import type { Carrier, CarrierShipmentRequest } from '../../src/shipping/carrier';
import { findReturn } from '../../src/shipping/return-store';
import { findShipment, findShipmentByTrackingNumber } from '../../src/shipping/shipment-store';
import type { FulfilmentActivities, OrderActivities, StatusChange } from '../../workflows/order/activity-types';
import { fakeNotifier, fakeProvider } from '../activities/fakes';
import { ledgerTotal, makeProduct, stockOf } from '../catalog/fixtures';
import { testConfig, testLogger, testOrm } from '../harness/env';
import { createProduct } from '../../src/catalog/products';
import { uniqueId } from '../harness/env';

// The fulfilment activities against the test database, each run in a MockActivityEnvironment as Temporal would run
// it; the carrier and the payment provider are fakes (the outside world), so what a retry asks of them is counted.
describe('fulfilment activities on the database', () => {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args) as Promise<R>;
  let orm: Orm;
  let orders: OrderActivities;
  let fulfilment: FulfilmentActivities;
  const payments = fakeProvider();
  const carrierCalls: CarrierShipmentRequest[] = [];
  const carrier: Carrier = {
    async createShipment(request) {
      carrierCalls.push(request);
      return { trackingNumber: `TRK-${request.shipmentId}` };
    },
  };

  beforeAll(async () => {
    orm = await testOrm();
    const deps = { orm, config: testConfig(), logger: testLogger(), payments: payments.provider };
    orders = createOrderActivities({ ...deps, notifier: fakeNotifier().notifier });
    fulfilment = createFulfilmentActivities({ ...deps, carrier });
  });
  afterAll(async () => {
    await orm?.close();
  });

  const shippingProduct = (priceCents: number, stock = 10) =>
    createProduct(orm.em.fork(), { sku: uniqueId('sku'), name: 'Parcel', priceCents, currency: 'EUR', stock, requiresShipping: true });

  /** A PAID order of the lines (stock committed, its payment captured at the fake provider), through the saga's own activities. */
  async function paidOrder(lines: { productId: string; quantity: number }[]) {
    const orderId = randomUUID();
    await run(orders.createOrderRecord, { orderId, workflowId: `order-${orderId}`, customerId: 'cust-1', customerEmail: 'c@example.com', items: lines, requestFingerprint: 'fp' });
    const reserved = await run(orders.reserveOrderStock, orderId, lines, { status: 'RESERVED', seq: 1 });
    const paymentId = payments.add(orderId, 'succeeded');
    await run(orders.commitOrderStock, orderId, { status: 'PAID', seq: 2, paymentStatus: 'succeeded', providerPaymentId: paymentId });
    return { orderId, reserved, paymentId };
  }

  const orderRow = async (orderId: string) => {
    const [row] = await orm.em
      .fork()
      .execute<{ status: string; payment_status: string; captured_cents: string; refunded_cents: string; refunds: { id: string; amountCents: number; reason: string; status: string; items: unknown }[] }[]>(
        `SELECT status, payment_status, captured_cents, refunded_cents, refunds FROM orders WHERE id = ?`,
        [orderId],
      );
    return { ...row, captured_cents: Number(row.captured_cents), refunded_cents: Number(row.refunded_cents) };
  };
  const history = async (orderId: string) =>
    (await orm.em.fork().execute<{ status: string; reason: string | null }[]>(`SELECT status, reason FROM order_history WHERE order_id = ? ORDER BY seq`, [orderId])).map((h) => [h.status, h.reason]);
  const events = (orderId: string) =>
    orm.em
      .fork()
      .execute<{ type: string; data: Record<string, unknown> | null; order_snapshot: Record<string, unknown>; order_seq: number; occurred_at: Date }[]>(
        `SELECT type, data, order_snapshot, order_seq, occurred_at FROM webhook_events WHERE order_id = ? ORDER BY id`,
        [orderId],
      );
  const change = (status: StatusChange['status'], seq: number, reason: string, paymentStatus?: string): StatusChange => ({ status, seq, reason, ...(paymentStatus ? { paymentStatus } : {}) });

  it('the reservation prices each line with whether it ships', async () => {
    const parcel = await shippingProduct(700);
    const download = await makeProduct(orm, { priceCents: 300 });
    const { reserved } = await paidOrder([
      { productId: parcel.id, quantity: 2 },
      { productId: download.id, quantity: 1 },
    ]);
    expect(reserved.totalCents).toBe(1700);
    expect([...reserved.lines!].sort((a, b) => a.unitPriceCents - b.unitPriceCents)).toEqual([
      { productId: download.id, quantity: 1, unitPriceCents: 300, requiresShipping: false },
      { productId: parcel.id, quantity: 2, unitPriceCents: 700, requiresShipping: true },
    ]);
  });

  it('dispatches once however often it is retried: one parcel, one row, one event; no stock moves', async () => {
    const parcel = await shippingProduct(500);
    const { orderId } = await paidOrder([{ productId: parcel.id, quantity: 2 }]);
    const stockBefore = await stockOf(orm, parcel.id);
    const shipmentId = randomUUID();
    const request = { orderId, shipmentId, items: [{ productId: parcel.id, quantity: 1 }], carrier: 'sim-post' };

    const first = await run(fulfilment.dispatchShipment, request, change('PARTIALLY_SHIPPED', 3, 'shipment_dispatched'));
    const again = await run(fulfilment.dispatchShipment, request, change('PARTIALLY_SHIPPED', 3, 'shipment_dispatched'));

    expect(first).toEqual({ id: shipmentId, orderId, status: 'dispatched', items: request.items, carrier: 'sim-post', trackingNumber: `TRK-${shipmentId}`, dispatchedAt: expect.any(String) });
    expect(again).toEqual(first);
    expect(carrierCalls.filter((c) => c.shipmentId === shipmentId)).toHaveLength(1);
    expect(await stockOf(orm, parcel.id)).toEqual(stockBefore);
    expect((await orderRow(orderId)).status).toBe('PARTIALLY_SHIPPED');
    expect(await history(orderId)).toEqual([['PENDING', null], ['RESERVED', null], ['PAID', null], ['PARTIALLY_SHIPPED', 'shipment_dispatched']]);

    const dispatched = (await events(orderId)).filter((e) => e.type === 'shipment.dispatched');
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0].data).toEqual({ shipmentId });
    // Written at the commit: the order as the dispatch left it, its shipment included.
    expect(dispatched[0].order_snapshot).toMatchObject({ status: 'PARTIALLY_SHIPPED', fulfilment: { shipments: [{ id: shipmentId, trackingNumber: `TRK-${shipmentId}` }] } });
    // Its delivery shows the order and the shipment as the API does.
    const [event] = dispatched;
    const body = JSON.parse(eventBody({ type: event.type, occurredAt: event.occurred_at, snapshot: event.order_snapshot, seq: event.order_seq, data: event.data }, [], testConfig()));
    expect(body.data.shipment).toEqual(first);
    expect(body.data.order).toMatchObject({ status: 'PARTIALLY_SHIPPED', shipments: [first], returns: [], cancelledItems: [] });

    expect(await findShipmentByTrackingNumber(orm.em.fork(), `TRK-${shipmentId}`)).toEqual({ id: shipmentId, orderId, status: 'dispatched' });
    expect(await findShipmentByTrackingNumber(orm.em.fork(), 'TRK-unknown')).toBeUndefined();
    expect(await findShipment(orm.em.fork(), randomUUID())).toBeUndefined();
    expect(await findShipment(orm.em.fork(), 'not-a-uuid')).toBeUndefined();
  });

  it('records the carrier’s progress once: in transit never after delivered, delivered at the carrier’s time', async () => {
    const parcel = await shippingProduct(500);
    const { orderId } = await paidOrder([{ productId: parcel.id, quantity: 1 }]);
    const shipmentId = randomUUID();
    await run(fulfilment.dispatchShipment, { orderId, shipmentId, items: [{ productId: parcel.id, quantity: 1 }], carrier: 'sim-post' }, change('SHIPPED', 3, 'shipment_dispatched'));

    expect((await run(fulfilment.recordShipmentProgress, orderId, shipmentId, 'in_transit', '2026-12-05T10:00:00.000Z')).status).toBe('in_transit');
    const delivered = await run(fulfilment.recordShipmentProgress, orderId, shipmentId, 'delivered', '2026-12-05T11:00:00.000Z', change('DELIVERED', 4, 'shipment_delivered'));
    expect(delivered).toMatchObject({ status: 'delivered', deliveredAt: '2026-12-05T11:00:00.000Z' });
    // A late in-transit scan and a duplicate delivery change nothing.
    expect(await run(fulfilment.recordShipmentProgress, orderId, shipmentId, 'in_transit', '2026-12-05T12:00:00.000Z')).toEqual(delivered);
    expect(await run(fulfilment.recordShipmentProgress, orderId, shipmentId, 'delivered', '2026-12-05T13:00:00.000Z', change('DELIVERED', 4, 'shipment_delivered'))).toEqual(delivered);
    expect(await history(orderId)).toEqual([['PENDING', null], ['RESERVED', null], ['PAID', null], ['SHIPPED', 'shipment_dispatched'], ['DELIVERED', 'shipment_delivered']]);

    await expect(run(fulfilment.recordShipmentProgress, orderId, randomUUID(), 'delivered', '2026-12-05T13:00:00.000Z')).rejects.toMatchObject({ type: 'shipment_not_found', nonRetryable: true });
  });

  it('cancels undispatched units once: stock back, price refunded through the ledger, the rest of the sale kept', async () => {
    const kept = await shippingProduct(1000);
    const cancelled = await shippingProduct(400);
    const { orderId, paymentId } = await paidOrder([
      { productId: kept.id, quantity: 1 },
      { productId: cancelled.id, quantity: 3 },
    ]);
    expect(await stockOf(orm, cancelled.id)).toMatchObject({ on_hand: 7, reserved: 0 });
    const cancellationId = randomUUID();
    const cancellation = { orderId, cancellationId, items: [{ productId: cancelled.id, quantity: 2 }], amountCents: 800, refund: true };
    const note = change('PAID', 3, 'items_cancelled', 'partially_refunded');

    expect(await run(fulfilment.cancelOrderItems, cancellation, note)).toEqual({ amountCents: 800 });
    expect(await run(fulfilment.cancelOrderItems, cancellation, note)).toEqual({ amountCents: 800 }); // retried

    expect(await stockOf(orm, cancelled.id)).toMatchObject({ on_hand: 9, reserved: 0 });
    expect(await ledgerTotal(orm, cancelled.id)).toBe(9);
    expect(payments.refundKeys.filter((k) => k === `cancel:${cancellationId}`)).toHaveLength(1);
    const row = await orderRow(orderId);
    expect(row).toMatchObject({ status: 'PAID', payment_status: 'partially_refunded', captured_cents: 2200, refunded_cents: 800 });
    expect(row.refunds).toEqual([
      expect.objectContaining({ id: cancellationId, amountCents: 800, reason: 'items_cancelled', status: 'succeeded', items: [{ productId: cancelled.id, quantity: 2 }] }),
    ]);
    expect(await history(orderId)).toEqual([['PENDING', null], ['RESERVED', null], ['PAID', null], ['PAID', 'items_cancelled']]);
    expect((await events(orderId)).filter((e) => e.type === 'refund.created')).toHaveLength(1);

    const found = (await findOrder(orm.em.fork(), orderId))!;
    const json = toOrderJson(found.order, found.history, testConfig());
    expect(json).toMatchObject({ shipments: [], returns: [], cancelledItems: [{ productId: cancelled.id, quantity: 2 }] });
    expect(json.payment).toMatchObject({ status: 'partially_refunded', refundedCents: 800, refunds: [expect.objectContaining({ id: cancellationId, restock: true })] });
    expect(paymentId).toBeDefined();

    // Refunding the whole order later puts back only the units that were still sold.
    await restockOrder(orm.em.fork(), orderId);
    expect(await stockOf(orm, cancelled.id)).toMatchObject({ on_hand: 10 });
    expect(await stockOf(orm, kept.id)).toMatchObject({ on_hand: 10 });
  });

  it('cancels units whose money was never captured without asking the provider', async () => {
    const parcel = await shippingProduct(400);
    const { orderId } = await paidOrder([{ productId: parcel.id, quantity: 2 }]);
    const cancellationId = randomUUID();
    const refundsBefore = payments.refundKeys.length;
    const cancellation = { orderId, cancellationId, items: [{ productId: parcel.id, quantity: 1 }], amountCents: 400, refund: false };
    await run(fulfilment.cancelOrderItems, cancellation, change('PAID', 3, 'items_cancelled'));
    await run(fulfilment.cancelOrderItems, cancellation, change('PAID', 3, 'items_cancelled'));
    expect(payments.refundKeys.length).toBe(refundsBefore);
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 9 });
    expect(await orderRow(orderId)).toMatchObject({ payment_status: 'succeeded', refunded_cents: 0, refunds: [] });
  });

  it('a return received is restocked and refunded once; everything back ends REFUNDED with the ledger whole', async () => {
    const parcel = await shippingProduct(600);
    const { orderId } = await paidOrder([{ productId: parcel.id, quantity: 2 }]);
    const shipmentId = randomUUID();
    await run(fulfilment.dispatchShipment, { orderId, shipmentId, items: [{ productId: parcel.id, quantity: 2 }], carrier: 'sim-post' }, change('SHIPPED', 3, 'shipment_dispatched'));
    await run(fulfilment.recordShipmentProgress, orderId, shipmentId, 'delivered', new Date().toISOString(), change('DELIVERED', 4, 'shipment_delivered'));
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 8 });

    const firstId = randomUUID();
    const opening = { orderId, returnId: firstId, items: [{ productId: parcel.id, quantity: 1 }], reason: 'too small', refundCents: 600 };
    const opened = await run(fulfilment.openReturn, opening);
    expect(await run(fulfilment.openReturn, opening)).toEqual(opened);
    expect(opened).toEqual({ id: firstId, orderId, status: 'requested', items: opening.items, reason: 'too small', refundCents: 600, requestedAt: expect.any(String) });
    expect(await findReturn(orm.em.fork(), firstId)).toEqual({ ...opened, customerId: 'cust-1' });

    const receipt = { orderId, returnId: firstId, items: [{ productId: parcel.id, quantity: 1 }], refundCents: 600 };
    const received = await run(fulfilment.receiveReturn, receipt, change('DELIVERED', 5, 'return_received', 'partially_refunded'));
    expect(await run(fulfilment.receiveReturn, receipt, change('DELIVERED', 5, 'return_received', 'partially_refunded'))).toEqual(received);
    expect(received).toMatchObject({ status: 'received', receivedItems: receipt.items, receivedAt: expect.any(String) });
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 9 });
    expect(payments.refundKeys.filter((k) => k === `return:${firstId}`)).toHaveLength(1);
    expect(await orderRow(orderId)).toMatchObject({ status: 'DELIVERED', payment_status: 'partially_refunded', captured_cents: 1200, refunded_cents: 600 });
    const receivedEvents = (await events(orderId)).filter((e) => e.type === 'return.received');
    expect(receivedEvents).toHaveLength(1);
    expect(receivedEvents[0].data).toEqual({ returnId: firstId });
    expect(receivedEvents[0].order_snapshot).toMatchObject({ fulfilment: { returns: [{ id: firstId, status: 'received' }] } });

    const restId = randomUUID();
    await run(fulfilment.openReturn, { ...opening, returnId: restId });
    await run(fulfilment.receiveReturn, { ...receipt, returnId: restId }, change('REFUNDED', 6, 'returned', 'refunded'));
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 10 });
    expect(await ledgerTotal(orm, parcel.id)).toBe(10);
    const row = await orderRow(orderId);
    expect(row).toMatchObject({ status: 'REFUNDED', payment_status: 'refunded', captured_cents: 1200, refunded_cents: 1200 });
    expect(row.refunds.map((r) => [r.id, r.reason, r.amountCents])).toEqual([
      [firstId, 'return_received', 600],
      [restId, 'return_received', 600],
    ]);
    // The sale is given back whole: restocking the order again puts nothing more back.
    await restockOrder(orm.em.fork(), orderId);
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 10 });

    const found = (await findOrder(orm.em.fork(), orderId))!;
    expect(toOrderJson(found.order, found.history, testConfig())).toMatchObject({
      status: 'REFUNDED',
      shipments: [{ id: shipmentId, status: 'delivered', deliveredAt: expect.any(String) }],
      returns: [{ id: firstId, status: 'received' }, { id: restId, status: 'received' }],
      cancelledItems: [],
    });
  });

  it('an expired return is closed without refund, and cannot be received after', async () => {
    const parcel = await shippingProduct(600);
    const { orderId } = await paidOrder([{ productId: parcel.id, quantity: 1 }]);
    const returnId = randomUUID();
    await run(fulfilment.openReturn, { orderId, returnId, items: [{ productId: parcel.id, quantity: 1 }], reason: 'changed my mind', refundCents: 600 });
    const expired = await run(fulfilment.expireReturn, orderId, returnId);
    expect(expired.status).toBe('expired');
    expect(await run(fulfilment.expireReturn, orderId, returnId)).toEqual(expired);
    await expect(
      run(fulfilment.receiveReturn, { orderId, returnId, items: [{ productId: parcel.id, quantity: 1 }], refundCents: 600 }, change('DELIVERED', 3, 'return_received', 'partially_refunded')),
    ).rejects.toMatchObject({ type: 'not_receivable', nonRetryable: true });
    expect(payments.refundKeys).not.toContain(`return:${returnId}`);
    expect(await stockOf(orm, parcel.id)).toMatchObject({ on_hand: 9 });
    await expect(run(fulfilment.expireReturn, orderId, randomUUID())).rejects.toMatchObject({ type: 'return_not_found' });
  });
});
