import { ApplicationFailure, condition, isCancellation, log, patched, setHandler, uuid4 } from '@temporalio/workflow';
import * as act from './activities-proxy';
import type { NotificationKind } from './activity-types';
import { describeError } from './compensation-stack';
import type { OrderItemRequest, OrderReturn, OrderWorkflowInput, PricedLine, Shipment, ShipmentEvent } from './definitions';
import {
  dispatchShipmentUpdate,
  markShipmentDeliveredUpdate,
  NOT_CANCELLABLE,
  NOT_DELIVERABLE,
  NOT_RECEIVABLE,
  NOT_RETURNABLE,
  NOT_SHIPPABLE,
  QUANTITY_EXCEEDS_ORDER,
  receiveReturnUpdate,
  requestReturnUpdate,
  shipmentEventSignal,
} from './definitions';
import type { PaymentHold } from './manual-capture';
import type { OrderRecord } from './order-record';
import type { PaymentBinding } from './payment-inbox';
import type { ProviderNews } from './payment-events';
import type { OrderStatus } from './state-machine';
import { isShippable } from './state-machine';
import { UnitLedger } from './unit-ledger';

/**
 * Marks sagas that ship goods: asked only when the order has a line that ships, so the histories of every other
 * order keep their shape (no marker).
 */
export const FULFILMENT = 'order-saga-fulfilment';

/**
 * At most this many shipments, and as many returns, per order: each costs the saga's history a handful of events,
 * so the cap keeps the history of the longest-lived order to a few thousand events (Temporal warns at 10,240).
 */
export const MAX_SHIPMENTS = 100;
export const MAX_RETURNS = 100;

/** How the stage ended for the saga: the order's ending is written (`ended`), or the saga still has to undo it. */
export type FulfilmentEnd = 'ended' | 'complete' | 'cancel' | 'authorization_expired';

/**
 * Every unit that ships was cancelled before any left: what remains completes as an order without goods that ship,
 * when CANCEL_WINDOW (counted from PAID) ends. A patch: sagas in flight without it went on waiting for a dispatch.
 */
export const NOTHING_TO_SHIP = 'order-saga-nothing-to-ship';

interface ShipmentState {
  shipment: Shipment;
  /** Workflow clock at dispatch: the delivery is overdue DELIVERY_TIMEOUT later. */
  dispatchedAtMs: number;
}

interface ReturnState {
  orderReturn: OrderReturn;
  /** Workflow clock when asked for: it expires RETURN_RECEIPT_TIMEOUT later. */
  requestedAtMs: number;
}

export interface FulfilmentDeps {
  input: OrderWorkflowInput;
  order: OrderRecord;
  payment: PaymentBinding;
  hold: PaymentHold;
  /** The customer's whole-order cancel (saga-handlers.ts sets it). */
  requests: { readonly customerCancel: boolean };
  /** The provider's word on the charge, as the saga has taken it in (payment-events.ts). */
  news: Readonly<Pick<ProviderNews, 'outcome'>>;
  /** `about`: the shipment or return a recurring kind is about (each is sent once). */
  notify(kind: NotificationKind, data?: Record<string, unknown>, about?: string): Promise<void>;
}

const refuse = (type: string, message: string, details?: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, ...(details === undefined ? {} : { details: [details] }) });

/**
 * After payment, for an order with goods that ship: the warehouse dispatches units (shipments), the carrier delivers
 * them, the customer may cancel what has not left and return what arrived, and the order completes when the return
 * window ends. Requests arrive as updates, checked by their validators against the units' ledger (a refusal is
 * synchronous and writes no history) and carried out one at a time, each by one activity that writes its rows and
 * the order's status change together. The saga's own loop keeps the clocks: a delivery overdue, the return window,
 * a return never received, and, under manual capture, the authorization's hold.
 */
export class Fulfilment {
  private ledger = new UnitLedger([]);
  private readonly shipments = new Map<string, ShipmentState>();
  private readonly returns = new Map<string, ReturnState>();
  private readonly seenEvents = new Set<string>();
  /**
   * Carrier news about a shipment whose dispatch the saga has not seen complete yet: the webhook can overtake the
   * dispatch's result (a signal is handled before an activity's result in the same workflow task).
   */
  private readonly earlyNews: ShipmentEvent[] = [];
  /** The stage runs: requests are taken. */
  private active = false;
  /**
   * The saga will run the stage (the order ships and its payment succeeded): the sale's commit is under way. The
   * database may already say PAID, so a request that comes now is checked once the stage runs, not refused.
   * Undefined until applies() has been asked.
   */
  private expected?: boolean;
  /** The stage is ending: requests are refused from now on. */
  private closing = false;
  /** A request is being carried out (one at a time: each writes the next status change). */
  private busy = false;
  /** Dispatches taken by their validators and not yet done or failed: until they are, nothing is "all shipped". */
  private pendingDispatches = 0;
  /** Bumped by every change the loop should look at again. */
  private changes = 0;
  /** Workflow clock when the last shipment was delivered: the return window runs from there. */
  private deliveredAtMs?: number;

  constructor(private readonly deps: FulfilmentDeps) {}

  /** The order's priced lines, once reserved. */
  setLines(lines: readonly PricedLine[] | undefined): void {
    this.ledger = new UnitLedger(lines ?? []);
  }

  /** This saga ships goods: the order has a line that ships, and it was started knowing how (its timers). */
  applies(): boolean {
    this.expected = this.deps.input.fulfilment !== undefined && this.ledger.ships && patched(FULFILMENT);
    return this.expected;
  }

  /**
   * A request that came while the sale was being committed: checked when the stage runs (or has ended, or turned
   * out not to apply). That is once the saga knows the stage applies, and also before, from the moment the
   * provider's success is in: the database may say PAID already although the saga has not decided, when a workflow
   * task that had committed the sale was lost with its worker and its replay has not got that far yet.
   */
  private get deferred(): boolean {
    if (this.active || this.closing) return false;
    if (this.expected !== undefined) return this.expected;
    return this.deps.news.outcome?.kind === 'succeeded' && this.deps.input.fulfilment !== undefined && this.ledger.ships;
  }

  private async whenRunning(): Promise<void> {
    if (this.deferred) await condition(() => !this.deferred);
  }

  /** A full cancel is refused once units have left (or are being dispatched). */
  get anyDispatched(): boolean {
    return this.ledger.anyDispatched;
  }

  /** Registers the handlers of shipments, deliveries and returns (they refuse everything until the stage runs). */
  register(): void {
    setHandler(dispatchShipmentUpdate, (request) => this.dispatch(request), {
      validator: (request) => (this.deferred ? undefined : this.checkDispatch(request.shipmentId, request.items)),
    });
    setHandler(markShipmentDeliveredUpdate, ({ shipmentId }) => this.deliver(shipmentId, new Date().toISOString()), {
      validator: ({ shipmentId }) => this.checkDeliverable(shipmentId),
    });
    setHandler(shipmentEventSignal, (event) => this.carrierNews(event));
    // A return or a receipt that comes while another request is being carried out (say, the delivery that makes the
    // order DELIVERED, already visible in the database) is checked once that one is done, by its handler.
    setHandler(requestReturnUpdate, (request) => this.openReturn(request.returnId, request.items, request.reason), {
      validator: (request) => (this.busy ? undefined : this.checkReturn(request.items)),
    });
    setHandler(receiveReturnUpdate, ({ returnId, items }) => this.receive(returnId, items), {
      validator: ({ returnId, items }) => (this.busy ? undefined : this.checkReceipt(returnId, items)),
    });
  }

  // ---- the stage's own loop -----------------------------------------------------------------------------------

  /** From PAID to the order's ending, or to a cancel the saga carries out. */
  async run(): Promise<FulfilmentEnd> {
    const { requests, hold, order } = this.deps;
    this.active = true;
    const holdDue = Date.now() + (this.deps.input.authorizationTtlMs ?? Number.MAX_SAFE_INTEGER / 2);
    const windowEnds = Date.now() + this.deps.input.cancelWindowMs;
    for (;;) {
      const seen = this.changes;
      const nothingToShip = this.nothingToShip;
      const due = Math.min(this.nextDeadline(), hold.uncaptured ? holdDue : Infinity, nothingToShip ? windowEnds : Infinity);
      const wake = () => requests.customerCancel || this.changes !== seen || (hold.captureRequested && !hold.captured);
      // Without a deadline there is no timer to name; the Web UI's details show the status meanwhile.
      if (due === Infinity) await condition(wake);
      else await condition(wake, Math.max(due - Date.now(), 1), { summary: this.waitSummary() });

      if (requests.customerCancel) return this.close('cancel');
      if (hold.captureRequested && !hold.captured) {
        hold.captureRequested = false;
        if (!(await this.exclusive(() => hold.capture('capture_by_operator')))) return this.close('authorization_expired');
      }
      if (hold.uncaptured && Date.now() >= holdDue && !(await this.exclusive(() => hold.capture('capture_before_hold_expires')))) {
        return this.close('authorization_expired');
      }
      if (await this.exclusive(() => this.keepClocks())) return this.close('ended');
      if (this.nothingToShip && Date.now() >= windowEnds) {
        const { payment } = this.deps;
        const captured = !hold.uncaptured || (await this.exclusive(() => hold.capture('capture_at_window_end', payment.totalCents - this.ledger.cancelledCents)));
        return this.close(captured ? 'complete' : 'authorization_expired');
      }
      if (order.status === 'REFUNDED') return this.close('ended');
      if (order.status === 'COMPLETED' && this.openReturns().length === 0) return this.close('ended');
    }
  }

  /** Acts on what is due; true when the order needs an operator (a delivery overdue) and the stage ends. */
  private async keepClocks(): Promise<boolean> {
    const { input, order } = this.deps;
    const timers = input.fulfilment!;
    const now = Date.now();
    const overdue = [...this.shipments.values()].find((s) => s.shipment.status !== 'delivered' && s.dispatchedAtMs + timers.deliveryTimeoutMs <= now);
    if (overdue) {
      log.warn('a shipment is overdue', { orderId: input.orderId, shipmentId: overdue.shipment.id });
      await order.write('NEEDS_ATTENTION', { reason: 'delivery_overdue', failureReason: 'delivery_overdue' });
      return true;
    }
    for (const state of this.openReturns()) {
      if (state.requestedAtMs + timers.returnReceiptTimeoutMs > now) continue;
      state.orderReturn = await act.expireReturn(input.orderId, state.orderReturn.id);
      this.ledger.take('returned', state.orderReturn.items, -1);
    }
    if (order.status === 'DELIVERED' && this.deliveredAtMs !== undefined && this.deliveredAtMs + timers.returnWindowMs <= now) {
      await order.write('COMPLETED', { reason: 'return_window_ended' });
    }
    return false;
  }

  /** When the loop must look again without being woken: the earliest overdue delivery, window end or return expiry. */
  private nextDeadline(): number {
    const timers = this.deps.input.fulfilment!;
    const times = [
      ...[...this.shipments.values()].filter((s) => s.shipment.status !== 'delivered').map((s) => s.dispatchedAtMs + timers.deliveryTimeoutMs),
      ...this.openReturns().map((r) => r.requestedAtMs + timers.returnReceiptTimeoutMs),
      ...(this.deps.order.status === 'DELIVERED' && this.deliveredAtMs !== undefined ? [this.deliveredAtMs + timers.returnWindowMs] : []),
    ];
    return times.length ? Math.min(...times) : Infinity;
  }

  private waitSummary(): string {
    switch (this.deps.order.status) {
      case 'PAID':
        return this.nothingToShip ? 'Cancellation window' : 'Wait for dispatch';
      case 'PARTIALLY_SHIPPED':
        return 'Wait for the rest to ship';
      case 'SHIPPED':
        return 'Wait for delivery';
      case 'DELIVERED':
        return 'Return window';
      default:
        return 'Wait for returns to arrive';
    }
  }

  /** Stops taking requests and lets the one in flight finish: the saga's ending comes after it. */
  private async close(end: FulfilmentEnd): Promise<FulfilmentEnd> {
    this.closing = true;
    await condition(() => !this.busy);
    return end;
  }

  private openReturns(): ReturnState[] {
    return [...this.returns.values()].filter((r) => r.orderReturn.status === 'requested');
  }

  /** Carries out one request at a time, in the order they came. */
  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    // Several waiters can wake in the same activation: each checks again when its turn comes.
    while (this.busy) await condition(() => !this.busy);
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
      this.changes += 1;
    }
  }

  // ---- shipments ------------------------------------------------------------------------------------------------

  private checkDispatch(shipmentId: string, items: readonly OrderItemRequest[]): void {
    const { order, requests } = this.deps;
    if (!this.active || this.closing || !isShippable(order.status) || requests.customerCancel || order.refunding) {
      throw refuse(NOT_SHIPPABLE, `an order that is ${order.status} cannot be shipped`, { status: order.status });
    }
    if (this.shipments.has(shipmentId)) throw refuse(NOT_SHIPPABLE, `shipment ${shipmentId} has been dispatched already`);
    if (this.shipments.size >= MAX_SHIPMENTS) throw refuse(NOT_SHIPPABLE, `an order ships in at most ${MAX_SHIPMENTS} shipments`);
    for (const item of items) {
      const left = this.ledger.leftToShip(item.productId);
      if (item.quantity > left) {
        throw refuse(QUANTITY_EXCEEDS_ORDER, `${left} unit(s) of ${item.productId} are left to ship, not ${item.quantity}`, {
          productId: item.productId,
          leftToShip: left,
        });
      }
    }
  }

  private async dispatch({ shipmentId, items, carrier }: { shipmentId: string; items: OrderItemRequest[]; carrier?: string }): Promise<Shipment> {
    if (this.deferred) {
      await this.whenRunning();
      this.checkDispatch(shipmentId, items);
    }
    this.ledger.take('dispatched', items); // taken now: a concurrent request sees them gone
    this.pendingDispatches += 1;
    try {
      return await this.exclusive(async () => {
        const { input, order, hold, payment } = this.deps;
        if (this.closing) throw refuse(NOT_SHIPPABLE, `an order that is ${order.status} cannot be shipped`, { status: order.status });
        // Manual capture takes the money at the first dispatch: what is left after the units cancelled so far.
        if (hold.uncaptured) {
          const captured = await hold.capture('capture_at_dispatch', payment.totalCents - this.ledger.cancelledCents);
          if (!captured) {
            this.closing = true;
            throw refuse(NOT_SHIPPABLE, 'the payment authorization has expired: the order is cancelled');
          }
        }
        const whole = this.ledger.allDispatched && this.pendingDispatches === 1;
        const change = order.next(whole ? 'SHIPPED' : 'PARTIALLY_SHIPPED', { reason: 'shipment_dispatched' });
        const shipment = await act.dispatchShipment({ orderId: input.orderId, shipmentId, items, carrier: carrier ?? 'sim-post' }, change);
        order.written(change);
        this.shipments.set(shipmentId, { shipment, dispatchedAtMs: Date.now() });
        await this.deps.notify('order_shipped', { shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier }, shipmentId);
        this.replayEarlyNews(shipmentId);
        return shipment;
      });
    } catch (err) {
      if (!this.shipments.has(shipmentId)) this.ledger.take('dispatched', items, -1);
      throw err;
    } finally {
      this.pendingDispatches -= 1;
    }
  }

  /** Still PAID, and every unit that ships was cancelled: nothing will ever be dispatched. */
  private get nothingToShip(): boolean {
    return this.deps.order.status === 'PAID' && !this.ledger.anyDispatched && this.shippedWhole && patched(NOTHING_TO_SHIP);
  }

  /** Every unit that ships has left, and no dispatch is still under way. */
  private get shippedWhole(): boolean {
    return this.ledger.allDispatched && this.pendingDispatches === 0;
  }

  private checkDeliverable(shipmentId: string): void {
    const state = this.shipments.get(shipmentId);
    if (!this.active || this.closing || !state || state.shipment.status === 'delivered') {
      throw refuse(NOT_DELIVERABLE, state ? `shipment ${shipmentId} is ${state.shipment.status}` : `shipment ${shipmentId} is not open on this order`);
    }
  }

  /** The carrier's webhook: duplicates and news older than what is known change nothing. */
  private carrierNews(event: ShipmentEvent): void {
    if (this.seenEvents.has(event.eventId) || this.closing) return;
    const state = this.shipments.get(event.shipmentId);
    if (!state) {
      // Kept (a bounded few) until the dispatch is seen; news of a shipment the order never had is dropped with them.
      if (this.earlyNews.length < MAX_SHIPMENTS) this.earlyNews.push(event);
      return;
    }
    this.seenEvents.add(event.eventId);
    if (state.shipment.status === 'delivered') return;
    const work = event.type === 'shipment.delivered' ? this.deliver(event.shipmentId, event.at) : this.inTransit(event.shipmentId, event.at);
    work.catch((err) => {
      if (!isCancellation(err)) log.warn('carrier news not recorded', { orderId: this.deps.input.orderId, shipmentId: event.shipmentId, error: describeError(err) });
    });
  }

  /** News that arrived before its shipment's dispatch completed, acted on now, in the order it came. */
  private replayEarlyNews(shipmentId: string): void {
    const mine = this.earlyNews.filter((e) => e.shipmentId === shipmentId);
    for (const event of mine) this.earlyNews.splice(this.earlyNews.indexOf(event), 1);
    for (const event of mine) this.carrierNews(event);
  }

  private inTransit(shipmentId: string, at: string): Promise<unknown> {
    return this.exclusive(async () => {
      const state = this.shipments.get(shipmentId)!;
      if (state.shipment.status !== 'dispatched') return;
      state.shipment = await act.recordShipmentProgress(this.deps.input.orderId, shipmentId, 'in_transit', at);
    });
  }

  /** A shipment delivered; the last one (nothing left to ship) makes the order DELIVERED. */
  private deliver(shipmentId: string, at: string): Promise<Shipment> {
    return this.exclusive(async () => {
      const { input, order } = this.deps;
      const state = this.shipments.get(shipmentId)!;
      if (state.shipment.status === 'delivered' || this.closing) return state.shipment;
      const last = this.shippedWhole && [...this.shipments.values()].every((s) => s === state || s.shipment.status === 'delivered');
      const change = order.next(last ? 'DELIVERED' : order.status, { reason: 'shipment_delivered' });
      state.shipment = await act.recordShipmentProgress(input.orderId, shipmentId, 'delivered', at, change);
      order.written(change);
      this.ledger.take('delivered', state.shipment.items);
      if (last) {
        this.deliveredAtMs = Date.now();
        await this.deps.notify('order_delivered');
      }
      return state.shipment;
    });
  }

  // ---- cancelling units that have not left ---------------------------------------------------------------------

  /** The validator of a cancel with `items`. */
  checkItemsCancel(items: readonly OrderItemRequest[]): void {
    if (this.deferred) return; // checked again by cancelItems once the stage runs
    const { order, requests } = this.deps;
    if (!this.active || this.closing || !isShippable(order.status) || requests.customerCancel || order.refunding) {
      throw refuse(NOT_CANCELLABLE, `units of an order that is ${order.status} cannot be cancelled`, { status: order.status });
    }
    for (const item of items) {
      const line = this.ledger.line(item.productId);
      const notCancelled = this.ledger.notCancelled(item.productId);
      if (!line || item.quantity > notCancelled) {
        throw refuse(QUANTITY_EXCEEDS_ORDER, `the order has ${notCancelled} unit(s) of ${item.productId}, not ${item.quantity}`, { productId: item.productId });
      }
      const left = this.ledger.leftToShip(item.productId);
      if (item.quantity > left) {
        throw refuse(NOT_CANCELLABLE, `${left} unit(s) of ${item.productId} have not been dispatched: only those can be cancelled`, {
          productId: item.productId,
          cancellable: left,
        });
      }
    }
  }

  /** Every unit of the order would go: the cancel is the whole order's (as without `items`). */
  cancelsEverything(items: readonly OrderItemRequest[]): boolean {
    return !this.ledger.anyDispatched && this.ledger.cancelsEverything(items);
  }

  /** Cancels undispatched units: their stock back, their price refunded (or, not captured yet, never taken). */
  async cancelItems(items: OrderItemRequest[]): Promise<{ status: OrderStatus; amountCents: number }> {
    if (this.deferred) {
      await this.whenRunning();
      this.checkItemsCancel(items);
    }
    this.ledger.take('cancelled', items);
    try {
      return await this.exclusive(async () => {
        const { input, order, hold } = this.deps;
        if (this.closing) throw refuse(NOT_CANCELLABLE, `units of an order that is ${order.status} cannot be cancelled`, { status: order.status });
        const amountCents = this.ledger.priceOf(items);
        const refund = !hold.uncaptured && amountCents > 0;
        const allDelivered = [...this.shipments.values()].every((s) => s.shipment.status === 'delivered');
        // The rest had left already: the order is shipped whole (delivered, if the carrier was done).
        const status: OrderStatus = this.ledger.anyDispatched && this.shippedWhole ? (allDelivered ? 'DELIVERED' : 'SHIPPED') : order.status;
        const change = order.next(status, { reason: 'items_cancelled', ...(refund ? { paymentStatus: 'partially_refunded' } : {}) });
        // The sandbox's uuid4 is seeded by the workflow: a replay draws the same id, so a retry asks for the same refund.
        const cancellationId = uuid4();
        await act.cancelOrderItems({ orderId: input.orderId, cancellationId, items, amountCents, refund }, change);
        order.written(change);
        if (status === 'DELIVERED' && this.deliveredAtMs === undefined) {
          this.deliveredAtMs = Date.now();
          await this.deps.notify('order_delivered');
        }
        return { status: order.status, amountCents };
      });
    } catch (err) {
      this.ledger.take('cancelled', items, -1);
      throw err;
    }
  }

  // ---- returns ----------------------------------------------------------------------------------------------------

  private checkReturn(items: readonly OrderItemRequest[]): void {
    const { order, input } = this.deps;
    const windowOpen = this.deliveredAtMs !== undefined && Date.now() < this.deliveredAtMs + input.fulfilment!.returnWindowMs;
    if (!this.active || this.closing || order.status !== 'DELIVERED' || !windowOpen) {
      throw refuse(NOT_RETURNABLE, `an order that is ${order.status} cannot be returned${order.status === 'COMPLETED' ? ': its return window has ended' : ''}`, {
        status: order.status,
      });
    }
    if (this.returns.size >= MAX_RETURNS) throw refuse(NOT_RETURNABLE, `an order takes at most ${MAX_RETURNS} returns`);
    for (const item of items) {
      const left = this.ledger.returnable(item.productId);
      if (item.quantity > left) {
        throw refuse(QUANTITY_EXCEEDS_ORDER, `${left} delivered unit(s) of ${item.productId} can be returned, not ${item.quantity}`, {
          productId: item.productId,
          returnable: left,
        });
      }
    }
  }

  private openReturn(returnId: string, items: OrderItemRequest[], reason: string): Promise<OrderReturn> {
    return this.exclusive(async () => {
      this.checkReturn(items);
      this.ledger.take('returned', items);
      try {
        const orderReturn = await act.openReturn({ orderId: this.deps.input.orderId, returnId, items, reason, refundCents: this.ledger.priceOf(items) });
        this.returns.set(returnId, { orderReturn, requestedAtMs: Date.now() });
        return orderReturn;
      } catch (err) {
        this.ledger.take('returned', items, -1);
        throw err;
      }
    });
  }

  private checkReceipt(returnId: string, items: readonly OrderItemRequest[] | undefined): void {
    const state = this.returns.get(returnId);
    if (!state || state.orderReturn.status !== 'requested' || this.closing) {
      throw refuse(NOT_RECEIVABLE, state ? `return ${returnId} is ${state.orderReturn.status}` : `return ${returnId} is not open`);
    }
    for (const item of items ?? []) {
      const asked = state.orderReturn.items.find((i) => i.productId.toLowerCase() === item.productId.toLowerCase())?.quantity ?? 0;
      if (item.quantity > asked) {
        throw refuse(QUANTITY_EXCEEDS_ORDER, `return ${returnId} asked back ${asked} unit(s) of ${item.productId}, not ${item.quantity}`, { productId: item.productId });
      }
    }
  }

  /** The warehouse has the units: restocked and refunded; everything back → REFUNDED. */
  private receive(returnId: string, received: OrderItemRequest[] | undefined): Promise<OrderReturn> {
    return this.exclusive(async () => {
      const { input, order } = this.deps;
      this.checkReceipt(returnId, received);
      const state = this.returns.get(returnId)!;
      const items = received ?? state.orderReturn.items;
      // Units asked for but not received are not returned after all.
      const missing = state.orderReturn.items
        .map((asked) => ({ productId: asked.productId, quantity: asked.quantity - (items.find((i) => i.productId.toLowerCase() === asked.productId.toLowerCase())?.quantity ?? 0) }))
        .filter((i) => i.quantity > 0);
      this.ledger.take('returned', missing, -1);
      const refundCents = this.ledger.priceOf(items);
      const everything = this.ledger.allReturned;
      const change = everything
        ? order.next('REFUNDED', { reason: 'returned', ...(this.deps.payment.totalCents > 0 ? { paymentStatus: 'refunded' } : {}) })
        : order.next(order.status, { reason: 'return_received', ...(refundCents > 0 ? { paymentStatus: 'partially_refunded' } : {}) });
      try {
        state.orderReturn = await act.receiveReturn({ orderId: input.orderId, returnId, items, refundCents }, change);
      } catch (err) {
        this.ledger.take('returned', missing);
        throw err;
      }
      order.written(change);
      await this.deps.notify('return_received', { returnId, refundCents }, returnId);
      return state.orderReturn;
    });
  }
}
