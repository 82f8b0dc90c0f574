// Records the event histories of the order saga's main paths into test/histories/, for the replay test
// (test/workflows/replay.test.ts). Run it after an intended change to workflow code: `npm run histories:record`.
// It starts its own Temporal dev server (the project's pinned CLI) and uses in-memory activities.
// Histories of sagas that began before a patch (test/histories/*-before-*-patch.json) are not scenarios here: they
// stand for sagas still open from then, which must keep replaying, so they are never re-recorded.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { ensureTemporalCli } from '../../devtools/temporal-cli';
import { loadConfig } from '../../src/config';
import { temporalClientOptions, temporalWorkerOptions } from '../../src/temporal/options';
import { fakeOrderActivities, orderInput, paymentSucceeded } from '../workflows/fake-order-activities';
import type { DisputeEvent, OrderWorkflowInput } from '../../workflows/order/definitions';
import {
  cancelOrderUpdate,
  dispatchShipmentUpdate,
  disputeEventSignal,
  disputeWorkflowId,
  orderStateQuery,
  orderWorkflowId,
  PAYMENT_NOT_OF_ORDER,
  paymentEventSignal,
  placeOrderUpdate,
  receiveReturnUpdate,
  refundWorkflowId,
  requestReturnUpdate,
  retryCompensationUpdate,
  shipmentEventSignal,
} from '../../workflows/order/definitions';
import type { disputeWorkflow } from '../../workflows/dispute';
import type { orderWorkflow } from '../../workflows/order/workflow';
import { ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

type Handle = ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
type Fake = ReturnType<typeof fakeOrderActivities>;

const success = paymentSucceeded;

/** The provider's success arrives and the saga commits the sale. */
async function paid(h: Handle) {
  await h.signal(paymentEventSignal, success());
  await until(h, 'PAID');
}

async function until(handle: Handle, status: string) {
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(orderStateQuery)).status === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never reached ${status}`);
}

/** A payment of another order that a success webhook names for the recorded order: its refund is refused. */
const otherOrdersPayment = `pay_other_${randomUUID()}`;

interface Scenario {
  name: string;
  fake: () => Fake;
  input?: Partial<OrderWorkflowInput>;
  drive: (h: Handle) => Promise<void>;
  /** Workflows the saga started whose histories are recorded too, by file name (they end with or after the saga). */
  children?: Record<string, string>;
}

/** Goods that ship: 2 books and a mug, all of them shipping, 2500 in all. */
const BOOK = '00000000-0000-4000-8000-0000000000b0';
const MUG = '00000000-0000-4000-8000-0000000000c0';
const shippingLines = () => [
  { productId: BOOK, quantity: 2, unitPriceCents: 1000, requiresShipping: true },
  { productId: MUG, quantity: 1, unitPriceCents: 500, requiresShipping: true },
];
const shippingInput = (timers: Partial<NonNullable<OrderWorkflowInput['fulfilment']>> = {}): Partial<OrderWorkflowInput> => ({
  items: [
    { productId: BOOK, quantity: 2 },
    { productId: MUG, quantity: 1 },
  ],
  fulfilment: { returnWindowMs: 60_000, deliveryTimeoutMs: 60_000, returnReceiptTimeoutMs: 60_000, ...timers },
});
const delivered = (shipmentId: string) => ({ eventId: `evt_${shipmentId}_delivered`, type: 'shipment.delivered' as const, shipmentId, at: '2026-12-05T10:00:00.000Z' });
const dispatch = (h: Handle, shipmentId: string, items: { productId: string; quantity: number }[]) =>
  h.executeUpdate(dispatchShipmentUpdate, { updateId: `shipment-${shipmentId}`, args: [{ shipmentId, items }] });

const scenarios: Scenario[] = [
  { name: 'paid-completed', fake: () => fakeOrderActivities(), drive: (h) => h.signal(paymentEventSignal, success()) },
  { name: 'declined', fake: () => fakeOrderActivities(), drive: (h) => h.signal(paymentEventSignal, success({ type: 'payment.failed', reason: 'card_declined' })) },
  { name: 'payment-timeout', fake: () => fakeOrderActivities(), input: { paymentTimeoutMs: 300 }, drive: async () => undefined },
  { name: 'cancel-before-payment', fake: () => fakeOrderActivities(), drive: async (h) => void (await h.executeUpdate(cancelOrderUpdate, { args: [{}] })) },
  {
    name: 'cancel-after-paid-refunded',
    fake: () => fakeOrderActivities(),
    input: { cancelWindowMs: 60_000 },
    drive: async (h) => {
      await paid(h);
      await h.executeUpdate(cancelOrderUpdate, { args: [{}] });
      await h.signal(paymentEventSignal, success({ type: 'payment.refunded' }));
    },
  },
  {
    name: 'stray-success-refunded',
    fake: () => fakeOrderActivities(),
    drive: async (h) => {
      await h.signal(paymentEventSignal, success({ paymentId: `pay_stray_${randomUUID()}` }));
      await h.signal(paymentEventSignal, success());
    },
  },
  {
    name: 'lost-webhook-reconciled-paid',
    fake: () => fakeOrderActivities({ check: { status: 'succeeded', amountCents: 2500, currency: 'EUR' } }),
    input: { paymentTimeoutMs: 300 },
    drive: async () => undefined,
  },
  {
    name: 'operator-cancel-after-paid',
    fake: () => fakeOrderActivities(),
    input: { cancelWindowMs: 60_000 },
    drive: async (h) => {
      await paid(h);
      // the operator's cancel refunds; the refund's webhook confirms it in the history
      await h.cancel();
      await until(h, 'REFUNDED');
      await h.signal(paymentEventSignal, success({ type: 'payment.refunded' }));
    },
  },
  {
    name: 'refund-failed-then-retried',
    fake: () => fakeOrderActivities(),
    input: { cancelWindowMs: 60_000 },
    drive: async (h) => {
      await paid(h);
      await h.executeUpdate(cancelOrderUpdate, { args: [{}] });
      await h.signal(paymentEventSignal, success({ type: 'payment.refund_failed', reason: 'expired_or_canceled_card' }));
      await until(h, 'NEEDS_ATTENTION');
      await h.executeUpdate(retryCompensationUpdate);
      await until(h, 'REFUNDED');
      await h.signal(paymentEventSignal, success({ type: 'payment.refunded' }));
    },
  },
  {
    // Refunded on the customer's cancel; while the saga waits for the refund's word, a late-payment refund it started
    // is refused (another order's payment): the order goes to NEEDS_ATTENTION, then the refund is confirmed.
    name: 'refund-refused-while-refunding',
    fake: () => fakeOrderActivities({ failCompensation: { step: 'refundPayment', times: 1, type: PAYMENT_NOT_OF_ORDER } }),
    input: { cancelWindowMs: 60_000 },
    drive: async (h) => {
      await paid(h);
      await h.executeUpdate(cancelOrderUpdate, { args: [{}] });
      await h.signal(paymentEventSignal, success({ paymentId: otherOrdersPayment }));
      await until(h, 'NEEDS_ATTENTION');
      await h.signal(paymentEventSignal, success({ type: 'payment.refunded' }));
    },
    children: { 'refund-refused-told-saga': refundWorkflowId(otherOrdersPayment) },
  },
  {
    name: 'payment-request-failed',
    fake: () => fakeOrderActivities({ requestPaymentFails: 'unreachable' }),
    drive: async () => undefined,
  },
  { name: 'duplicate-webhook', fake: () => fakeOrderActivities(), drive: async (h) => {
    const event = success();
    await h.signal(paymentEventSignal, event);
    await h.signal(paymentEventSignal, event);
  } },
  // A free order (total 0, the order-saga-free-orders patch): no payment; completed, and cancelled within the window.
  { name: 'free-order-completed', fake: () => fakeOrderActivities({ totalCents: 0 }), drive: async () => undefined },
  {
    name: 'free-order-cancelled',
    fake: () => fakeOrderActivities({ totalCents: 0 }),
    input: { cancelWindowMs: 60_000 },
    drive: async (h) => void (await h.executeUpdate(cancelOrderUpdate, { args: [{}] })),
  },
  // Manual capture (PAYMENT_CAPTURE=manual, the order-saga-manual-capture patch): authorized, captured before the
  // hold's TTL, completed when the window ends; and cancelled before the capture (the hold voided).
  {
    name: 'manual-capture-completed',
    fake: () => fakeOrderActivities(),
    input: { paymentCapture: 'manual', authorizationTtlMs: 100, cancelWindowMs: 600 },
    drive: (h) => h.signal(paymentEventSignal, success({ type: 'payment.authorized' })),
  },
  {
    name: 'manual-capture-cancelled-voided',
    fake: () => fakeOrderActivities(),
    input: { paymentCapture: 'manual', authorizationTtlMs: 60_000, cancelWindowMs: 60_000 },
    drive: async (h) => {
      await h.signal(paymentEventSignal, success({ type: 'payment.authorized' }));
      await until(h, 'PAID');
      await h.executeUpdate(cancelOrderUpdate, { args: [{}] });
    },
  },
  { name: 'rejected', fake: () => fakeOrderActivities({ rejectWith: 'insufficient_stock' }), drive: async () => undefined },
  {
    // Dispatched in two shipments, delivered by the carrier, one line (the mug) returned and received; then the
    // rest returned too: REFUNDED.
    name: 'shipped-delivered-returned',
    fake: () => fakeOrderActivities({ lines: shippingLines() }),
    input: shippingInput(),
    drive: async (h) => {
      await paid(h);
      await dispatch(h, 'shp-1', [{ productId: BOOK, quantity: 2 }]);
      await dispatch(h, 'shp-2', [{ productId: MUG, quantity: 1 }]);
      await h.signal(shipmentEventSignal, { eventId: 'evt_shp-1_transit', type: 'shipment.in_transit', shipmentId: 'shp-1', at: '2026-12-05T09:00:00.000Z' });
      await h.signal(shipmentEventSignal, delivered('shp-1'));
      await h.signal(shipmentEventSignal, delivered('shp-2'));
      await until(h, 'DELIVERED');
      await h.executeUpdate(requestReturnUpdate, { updateId: 'return-r1', args: [{ returnId: 'r1', items: [{ productId: MUG, quantity: 1 }], reason: 'wrong colour' }] });
      await h.executeUpdate(receiveReturnUpdate, { args: [{ returnId: 'r1' }] });
      await h.executeUpdate(requestReturnUpdate, { updateId: 'return-r2', args: [{ returnId: 'r2', items: [{ productId: BOOK, quantity: 2 }], reason: 'not needed' }] });
      await h.executeUpdate(receiveReturnUpdate, { args: [{ returnId: 'r2' }] });
    },
  },
  {
    // A line cancelled before dispatch, the rest shipped and delivered, COMPLETED when the return window ends.
    name: 'line-cancelled-shipped-completed',
    fake: () => fakeOrderActivities({ lines: shippingLines() }),
    input: shippingInput({ returnWindowMs: 300 }),
    drive: async (h) => {
      await paid(h);
      await h.executeUpdate(cancelOrderUpdate, { args: [{ items: [{ productId: MUG, quantity: 1 }] }] });
      await dispatch(h, 'shp-1', [{ productId: BOOK, quantity: 2 }]);
      await h.signal(shipmentEventSignal, delivered('shp-1'));
    },
  },
  {
    name: 'compensation-failed-then-retried',
    fake: () => fakeOrderActivities({ failCompensation: { step: 'releaseOrderStock', times: 1 } }),
    drive: async (h) => {
      await h.signal(paymentEventSignal, success({ type: 'payment.failed', reason: 'card_declined' }));
      await until(h, 'NEEDS_ATTENTION');
      await h.executeUpdate(retryCompensationUpdate);
    },
  },
];

/** A dispute's events, in the order the provider's webhooks bring them (the first starts the dispute workflow). */
const disputeEvent = (type: DisputeEvent['type'], status: DisputeEvent['status']): DisputeEvent => ({
  eventId: `evt_${randomUUID()}`,
  type,
  disputeId: 'dp_history',
  status,
  amountCents: 2500,
  currency: 'EUR',
  reason: 'fraudulent',
});
const disputeScenarios: { name: string; events: DisputeEvent[] }[] = [
  // A disputed order: opened (the customer is told), then won (told again).
  { name: 'disputed-won', events: [disputeEvent('dispute.created', 'open'), disputeEvent('dispute.closed', 'won')] },
  // The close came first (reordered webhooks): it opens and closes the dispute at once.
  { name: 'disputed-lost-close-first', events: [disputeEvent('dispute.closed', 'lost')] },
];

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli() }, searchAttributes: ORDER_SEARCH_ATTRIBUTES },
    // Recorded as the service writes them: encrypted with PAYLOAD_ENCRYPTION_KEYS (the development key by default).
    client: { dataConverter: temporalClientOptions(config).dataConverter },
  });
  const outDir = __dirname;
  mkdirSync(outDir, { recursive: true });
  try {
    // `npm run histories:record -- <name>…` records only the named scenarios; no name: every one.
    const only = process.argv.slice(2);
    for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const fake = scenario.fake();
      const taskQueue = `record-${scenario.name}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('../../workflows'), activities: fake.activities, ...temporalWorkerOptions(config) });
      await worker.runUntil(async () => {
        const input = orderInput({ customerId: 'cust-history', requestFingerprint: 'fp', cancelWindowMs: 200, ...scenario.input });
        const workflowId = orderWorkflowId(input.orderId);
        await env.client.workflow.executeUpdateWithStart(placeOrderUpdate, {
          args: [{ requestFingerprint: input.requestFingerprint }],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', { workflowId, taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' }),
        });
        const handle = env.client.workflow.getHandle(workflowId);
        await scenario.drive(handle);
        await handle.result();
        const history = await handle.fetchHistory();
        writeFileSync(path.join(outDir, `${scenario.name}.json`), historyToJSON(history) + '\n');
        console.log(`recorded ${scenario.name}`);
        for (const [name, childId] of Object.entries(scenario.children ?? {})) {
          const child = env.client.workflow.getHandle(childId);
          await child.result().catch(() => undefined); // a failed child is recorded as it failed
          writeFileSync(path.join(outDir, `${name}.json`), historyToJSON(await child.fetchHistory()) + '\n');
          console.log(`recorded ${name}`);
        }
      });
    }
    for (const scenario of disputeScenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const fake = fakeOrderActivities();
      const taskQueue = `record-${scenario.name}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('../../workflows'), activities: fake.activities, ...temporalWorkerOptions(config) });
      await worker.runUntil(async () => {
        const workflowId = disputeWorkflowId(`${scenario.name}-${randomUUID()}`);
        const args = [{ orderId: randomUUID(), disputeId: 'dp_history', notifyMaxAttempts: 3 }] as Parameters<typeof disputeWorkflow>;
        for (const event of scenario.events)
          await env.client.workflow.signalWithStart<typeof disputeWorkflow, [DisputeEvent]>('disputeWorkflow', { workflowId, taskQueue, args, signal: disputeEventSignal, signalArgs: [event] });
        const handle = env.client.workflow.getHandle(workflowId);
        await handle.result();
        writeFileSync(path.join(outDir, `${scenario.name}.json`), historyToJSON(await handle.fetchHistory()) + '\n');
        console.log(`recorded ${scenario.name}`);
      });
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
