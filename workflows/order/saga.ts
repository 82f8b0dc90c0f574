import { CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import * as act from './activities-proxy';
import type { NotificationKind, PaymentCheck } from './activity-types';
import { CompensationStack, describeError } from './compensation-stack';
import { Compensator } from './compensator';
import type { OrderSagaState, OrderWorkflowInput, PaymentEvent, Rejection } from './definitions';
import { orderWorkflowId } from './definitions';
import { PAYMENT_NOT_REQUIRED, takesFreeOrder } from './free-order';
import { Fulfilment } from './fulfilment';
import { PAYMENT_AUTHORIZED, PaymentHold, takesManualCapture } from './manual-capture';
import { OrderRecord } from './order-record';
import type { ProviderNews } from './payment-events';
import { PaymentEvents } from './payment-events';
import type { PaymentBinding, PaymentOutcome } from './payment-inbox';
import { RefundConfirmation } from './refund-confirmation';
import { RefusedRefunds } from './refused-refunds';
import type { Placement, Requests } from './saga-handlers';
import { registerSagaHandlers } from './saga-handlers';
import type { EndReason } from './state-machine';
import { declineReason, isTerminal } from './state-machine';
import { businessRejection, runStep, StepFailure, stepFailure } from './step-failures';

/** How the wait for the payment ended. */
type PaymentVerdict = { kind: 'paid' } | { kind: 'unpaid'; reason: EndReason } | { kind: 'mismatch'; event: PaymentEvent };

/**
 * One order's life as named steps: record → reserve stock → request payment → await payment (reconcile with the
 * provider before timing out) → commit the sale → cancellation window → complete. Each step pushes its
 * compensation before it runs; every ending (reject, cancel, refund, needs attention) runs without being
 * interruptible by cancellation, and one that gave money back waits for the provider to confirm it.
 */
export class OrderSaga {
  /** Which payment is the saga's own, for how much, and whether the order keeps its money. */
  private readonly payment: PaymentBinding = { known: false, totalCents: 0, currency: '', keepsNoMoney: false };
  /** What the provider has said about that payment. */
  private readonly news: ProviderNews = { refundConfirmed: false };
  /** What callers asked for: the handlers set these, the steps wait on them. */
  private readonly requests: Requests = { customerCancel: false, operatorCancel: false, compensationRetry: false };
  /** The answer to POST /orders. */
  private readonly placement: Placement = { requests: 0 };
  /** A free order (total 0): no payment, so a cancel after PAID restocks and ends CANCELLED rather than REFUNDED. */
  private free = false;
  /** Manual capture: the money is authorized at placement and captured by the saga later. */
  private readonly hold: PaymentHold;
  /** The order as written to the database: status, failure reason, payment status. */
  private readonly order: OrderRecord;
  private readonly compensations: CompensationStack;
  private readonly compensator: Compensator;
  private readonly refundConfirmation: RefundConfirmation;
  private readonly paymentEvents: PaymentEvents;
  private readonly refusedRefunds: RefusedRefunds;
  /** After payment, for goods that ship: shipments, deliveries, cancels of units, returns. */
  private readonly fulfilment: Fulfilment;
  private readonly notify: ReturnType<typeof act.localNotificationStep>;

  constructor(private readonly input: OrderWorkflowInput) {
    const { payment, news, requests, placement } = this;
    const order = new OrderRecord(input, payment);
    const compensations = new CompensationStack(input.orderId);
    const compensator = new Compensator(compensations, order, requests);
    const paymentEvents = new PaymentEvents(input.orderId, payment, news);
    const refusedRefunds = new RefusedRefunds(input.orderId, order);
    const hold = new PaymentHold(input.orderId, order, payment);
    this.order = order;
    this.hold = hold;
    this.compensations = compensations;
    this.compensator = compensator;
    this.paymentEvents = paymentEvents;
    this.refusedRefunds = refusedRefunds;
    this.refundConfirmation = new RefundConfirmation({ input, order, payment, news, requests, compensations, compensator, refusedRefunds });
    this.notify = act.localNotificationStep(input.notifyMaxAttempts);
    const fulfilment = new Fulfilment({ input, order, payment, hold, requests, news, notify: (kind, data, about) => this.sendNotification(kind, data, about) });
    this.fulfilment = fulfilment;
    registerSagaHandlers({ input, order, placement, requests, compensations, paymentEvents, refusedRefunds, hold, fulfilment, view: () => this.view() });
  }

  async run(): Promise<OrderSagaState> {
    try {
      await this.live();
    } finally {
      await this.paymentEvents.refundsStarted();
    }
    // The last thing before the saga closes: a late-payment refund refused up to now reaches the order. Nothing is
    // awaited after it, and a signal is handled before whatever else wakes the saga, so none is left unseen.
    return await this.ending(() => this.refusedRefunds.flag());
  }

  /** The order from its record to its ending. */
  private async live(): Promise<OrderSagaState> {
    try {
      await this.record();
      const rejection = await this.reserveStock();
      if (rejection) return await this.reject(rejection);
      if (takesFreeOrder(this.payment.totalCents)) return await this.freeOrder();
      const refused = this.requests.customerCancel ? undefined : await this.requestPayment();
      this.paymentEvents.paymentKnown();
      this.accepted();
      if (refused) return await this.cancel(refused);

      const verdict = await this.awaitPayment();
      if (verdict.kind === 'mismatch') return await this.paymentMismatch(verdict.event);
      if (verdict.kind === 'unpaid') return await this.cancel(verdict.reason);

      // Known before the sale is committed: a warehouse that sees PAID at once is then answered, not refused.
      const ships = this.fulfilment.applies();
      await this.commitSale(this.hold.manual ? PAYMENT_AUTHORIZED : undefined);
      if (ships) return await this.fulfil();
      if (this.hold.manual) return await this.authorizedOrder();
      if (!(await this.cancellationWindow())) return await this.complete();
      return await this.refund('customer_cancelled');
    } catch (err) {
      if (isCancellation(err)) return await this.cancelledByOperator();
      if (err instanceof StepFailure) return await this.stepFailed(err);
      throw err;
    }
  }

  // ---- forward steps ----------------------------------------------------------------------------------------

  private async record(): Promise<void> {
    const { input } = this;
    await act.local.createOrderRecord({
      orderId: input.orderId,
      workflowId: orderWorkflowId(input.orderId),
      customerId: input.customerId,
      customerEmail: input.customerEmail,
      items: input.items,
      requestFingerprint: input.requestFingerprint,
      idempotencyKey: input.idempotencyKey,
    });
  }

  /** Reserves and prices the order; a business refusal (no stock, total too large…) is answered as a rejection. */
  private async reserveStock(): Promise<Rejection | undefined> {
    const { orderId, items } = this.input;
    this.compensations.push({ name: 'release_stock', run: () => act.releaseOrderStock(orderId) });
    const change = this.order.next('RESERVED');
    let reserved;
    try {
      reserved = await act.local.reserveOrderStock(orderId, items, change);
    } catch (err) {
      const rejection = businessRejection(err);
      if (!rejection) throw stepFailure('reserveOrderStock', err);
      this.compensations.retire('release_stock'); // refused as a whole: nothing was reserved
      return rejection;
    }
    this.payment.totalCents = reserved.totalCents;
    this.payment.currency = reserved.currency;
    this.fulfilment.setLines(reserved.lines);
    this.order.written(change);
    return undefined;
  }

  /**
   * Asks the provider to charge; the order id is its idempotency key, so a retried attempt never charges twice.
   * The compensation voids or refunds by order, so it also covers a charge whose creation answer was lost.
   * Answers why the order cannot be paid, when the provider refused or could not be reached.
   */
  private async requestPayment(): Promise<EndReason | undefined> {
    const { orderId, customerId, paymentToken } = this.input;
    const { payment, order } = this;
    this.compensations.push({
      name: 'void_or_refund_payment',
      run: async () => {
        order.paymentStatus = (await act.voidOrRefundOrderPayments(orderId, payment.paymentId)).status;
      },
    });
    // Written by the request itself once the provider answered (with its payment id), before the saga waits: from
    // then on only this payment's events move the order.
    const change = order.next('AWAITING_PAYMENT', { paymentStatus: 'pending' });
    this.hold.manual = takesManualCapture(this.input);
    const capture = this.hold.manual ? { capture: 'manual' as const } : {};
    try {
      const requested = await act.local.requestPayment({ orderId, customerId, amountCents: payment.totalCents, currency: payment.currency, token: paymentToken, ...capture }, change);
      payment.paymentId = requested.paymentId;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('payment could not be requested', { orderId, error: describeError(err) });
      return businessRejection(err) ? 'payment_refused' : 'payment_request_failed';
    }
    this.paymentEvents.paymentKnown();
    order.written({ ...change, providerPaymentId: payment.paymentId });
    return undefined;
  }

  /** The provider's verdict, the customer's cancel, or, at PAYMENT_TIMEOUT, what the provider says when asked. */
  private async awaitPayment(): Promise<PaymentVerdict> {
    const decided = await condition(() => this.news.outcome !== undefined || this.requests.customerCancel, this.input.paymentTimeoutMs, {
      summary: 'Wait for the payment webhook',
    });
    if (this.news.outcome) return verdictOf(this.news.outcome);
    if (decided) return { kind: 'unpaid', reason: 'customer_cancelled' };
    return this.reconcile();
  }

  /**
   * No webhook in time: the provider is asked before the order is given up. Succeeded → paid (the webhook was
   * lost); failed → declined; pending or no answer → the cancel voids it, and the order is cancelled once the void
   * is confirmed (a void that cannot be confirmed leaves the order in NEEDS_ATTENTION).
   */
  private async reconcile(): Promise<PaymentVerdict> {
    const { paymentId, totalCents, currency } = this.payment;
    let check: PaymentCheck = { status: 'unknown' };
    if (paymentId !== undefined) {
      try {
        check = await act.checkPayment(paymentId);
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('the provider could not be asked about the payment', { orderId: this.input.orderId, paymentId, error: describeError(err) });
      }
    }
    if (this.news.outcome) return verdictOf(this.news.outcome); // the webhook arrived while we were asking
    // An authorization (manual capture) is as good as a success: the money is held for the order.
    if (check.status === 'succeeded' || check.status === 'authorized') {
      const matches = check.amountCents === totalCents && check.currency === currency;
      this.news.outcome = matches ? { kind: 'succeeded' } : { kind: 'mismatch', event: checkAsEvent(paymentId!, check) };
      return verdictOf(this.news.outcome);
    }
    if (check.status === 'failed') return { kind: 'unpaid', reason: declineReason(check.failureReason) };
    return { kind: 'unpaid', reason: 'payment_timeout' };
  }

  /**
   * Nothing to pay: no charge is asked for. The sale is committed at once (RESERVED → PAID, payment `not_required`),
   * then the order goes on as a paid one; a cancel within the window restocks and ends CANCELLED.
   */
  private async freeOrder(): Promise<OrderSagaState> {
    this.free = true;
    this.paymentEvents.paymentKnown(); // no payment of its own: any charge for this order is a stray, refunded
    if (this.requests.customerCancel) {
      this.accepted();
      return await this.cancel('customer_cancelled');
    }
    const ships = this.fulfilment.applies();
    await this.commitSale(PAYMENT_NOT_REQUIRED);
    this.accepted();
    if (ships) return await this.fulfil();
    if (!(await this.cancellationWindow())) return await this.complete();
    return await this.cancel('customer_cancelled');
  }

  /** Paid: the reservation becomes a sale. Its compensation (restock) replaces the release of the reservation. */
  private async commitSale(paymentStatus = 'succeeded'): Promise<void> {
    const { orderId } = this.input;
    this.compensations.push({ name: 'restock', run: () => act.restockOrder(orderId) });
    const change = this.order.next('PAID', { paymentStatus });
    await runStep('commitOrderStock', () => act.local.commitOrderStock(orderId, change));
    this.compensations.retire('release_stock');
    this.order.written(change);
  }

  /** True when the customer cancelled within CANCEL_WINDOW. */
  private async cancellationWindow(): Promise<boolean> {
    const confirmation = this.sendNotification('order_confirmed');
    const cancelled = await condition(() => this.requests.customerCancel, this.input.cancelWindowMs, { summary: 'Cancellation window' });
    await confirmation;
    return cancelled;
  }

  /**
   * Manual capture: PAID with the money authorized, not taken. Until CANCEL_WINDOW ends the customer may cancel (an
   * uncaptured hold is voided: CANCELLED, nothing to refund). The money is captured when an operator asks, when
   * AUTHORIZATION_TTL comes before the window's end (the hold must not lapse), or at the latest when the window
   * ends, just before COMPLETED. A hold that lapsed anyway cancels the order (`authorization_expired`).
   */
  private async authorizedOrder(): Promise<OrderSagaState> {
    const { hold, requests, input } = this;
    const confirmation = this.sendNotification('order_confirmed');
    const windowEnds = Date.now() + input.cancelWindowMs;
    const holdDue = Date.now() + (input.authorizationTtlMs ?? input.cancelWindowMs);
    for (;;) {
      const until = hold.captured ? windowEnds : Math.min(windowEnds, holdDue);
      // At least 1 ms: a condition without a timeout would wait for ever.
      const woke = await condition(() => requests.customerCancel || (hold.captureRequested && !hold.captured), Math.max(until - Date.now(), 1), {
        summary: hold.captured ? 'Cancellation window' : 'Cancellation window (payment authorized)',
      });
      if (requests.customerCancel) break;
      if (woke) {
        hold.captureRequested = false;
        if (!(await hold.capture('capture_by_operator'))) break;
      } else if (Date.now() >= windowEnds) {
        break;
      } else if (!hold.captured && !(await hold.capture('capture_before_hold_expires'))) {
        break;
      }
    }
    await confirmation;
    if (requests.customerCancel && !hold.expired) return hold.captured ? this.refund('customer_cancelled') : this.cancel('customer_cancelled');
    if (!hold.captured && !hold.expired) await hold.capture('capture_at_window_end');
    if (hold.expired) return this.cancel('authorization_expired');
    return this.complete();
  }

  /**
   * Goods that ship: the order stays PAID until the warehouse dispatches (the customer may cancel until then,
   * whatever CANCEL_WINDOW says), then ships, is delivered and completes when the return window ends
   * (workflows/order/fulfilment.ts). Manual capture takes the money at the first dispatch.
   */
  private async fulfil(): Promise<OrderSagaState> {
    await this.sendNotification('order_confirmed');
    const end = await this.fulfilment.run();
    if (end === 'authorization_expired') return this.cancel('authorization_expired');
    if (end === 'complete') return this.complete();
    if (end === 'cancel') return this.free || this.hold.uncaptured ? this.cancel('customer_cancelled') : this.refund('customer_cancelled');
    return this.ending(async () => undefined);
  }

  // ---- endings (cancellation cannot interrupt them) -----------------------------------------------------------

  private complete(): Promise<OrderSagaState> {
    return this.ending(() => this.order.write('COMPLETED'));
  }

  private reject(rejection: Rejection): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.paymentEvents.paymentKnown();
      await this.order.write('REJECTED', { reason: rejection.code, failureReason: rejection.code, rejection });
      this.placement.answer = { outcome: 'rejected', replayed: false, rejection };
    });
  }

  /** Not paid: void (or refund) the order's payments and release the stock, then CANCELLED. */
  private cancel(reason: EndReason): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.payment.keepsNoMoney = true;
      if (!(await this.compensator.compensate(reason))) return;
      await this.order.write('CANCELLED', { reason, failureReason: reason, paymentStatus: this.order.paymentStatus });
      await this.sendNotification('order_cancelled', { reason });
      await this.refundConfirmation.wait();
    });
  }

  /** Paid, then cancelled: restock and refund, then REFUNDED once the provider says the money went back. */
  private refund(reason: EndReason): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.order.refunding = true;
      this.payment.keepsNoMoney = true;
      if (!(await this.compensator.compensate(reason))) return;
      await this.order.write('REFUNDED', { reason, failureReason: reason === 'customer_cancelled' ? null : reason, paymentStatus: this.order.paymentStatus });
      await this.sendNotification('order_refunded');
      await this.refundConfirmation.wait();
    });
  }

  /** A success for another amount or currency is not a payment of this order: undo everything, then an operator looks. */
  private paymentMismatch(event: PaymentEvent): Promise<OrderSagaState> {
    return this.ending(async () => {
      const { totalCents, currency } = this.payment;
      log.error('payment amount or currency differs from the order', { orderId: this.input.orderId, expected: { totalCents, currency }, got: event });
      this.payment.keepsNoMoney = true;
      if (!(await this.compensator.compensate('payment_amount_mismatch'))) return;
      await this.order.write('NEEDS_ATTENTION', { reason: 'payment_amount_mismatch', failureReason: 'payment_amount_mismatch', paymentStatus: this.order.paymentStatus });
    });
  }

  /** Cancelled through Temporal itself (Web UI, CLI): before payment void + release, after it refund + restock. */
  private cancelledByOperator(): Promise<OrderSagaState> {
    this.placement.answer ??= { outcome: 'rejected', replayed: false, rejection: { code: 'cancelled_by_operator', message: 'the order was cancelled by an operator' } };
    if (isTerminal(this.order.status)) return this.ending(async () => undefined);
    if (this.goodsLeft()) return this.ending(() => this.order.write('NEEDS_ATTENTION', { reason: 'cancelled_by_operator', failureReason: 'cancelled_by_operator' }));
    return this.paidWithMoney() ? this.refund('cancelled_by_operator') : this.cancel('cancelled_by_operator');
  }

  /** A step failed in a way retrying cannot fix (e.g. the database refused its statement): undo, then CANCELLED. */
  private stepFailed({ step, failure }: StepFailure): Promise<OrderSagaState> {
    log.error('a saga step failed for good', { orderId: this.input.orderId, step, error: describeError(failure) });
    this.placement.answer ??= { outcome: 'rejected', replayed: false, rejection: { code: 'service_unavailable', message: 'the order could not be placed' } };
    const reason: EndReason = `step_failed:${step}`;
    if (this.goodsLeft()) return this.ending(() => this.order.write('NEEDS_ATTENTION', { reason, failureReason: reason }));
    return this.paidWithMoney() ? this.refund(reason) : this.cancel(reason);
  }

  /** Goods have left the warehouse: undoing the order is no longer the saga's to do (an operator decides). */
  private goodsLeft(): boolean {
    return this.fulfilment.anyDispatched && this.order.status !== 'PAID';
  }

  /**
   * Paid with money, which undoing the order gives back (REFUNDED); a free order has none to give back, nor has an
   * order whose authorized money is not captured yet (its hold is voided).
   */
  private paidWithMoney(): boolean {
    return this.order.status === 'PAID' && !this.free && !this.hold.uncaptured;
  }

  private async ending(body: () => Promise<void>): Promise<OrderSagaState> {
    await CancellationScope.nonCancellable(body);
    return this.view();
  }

  // ---- answers ------------------------------------------------------------------------------------------------

  /** The placement is answered from here: the order is accepted. */
  private accepted(): void {
    this.placement.answer = { outcome: 'accepted', replayed: false };
  }

  private view(): OrderSagaState {
    const { order } = this;
    return {
      status: order.status,
      failureReason: order.failureReason,
      paymentId: this.payment.paymentId,
      paymentStatus: order.paymentStatus,
      pendingCompensations: [...this.compensations.failed],
    };
  }

  private async sendNotification(kind: NotificationKind, data: Record<string, unknown> = {}, about?: string): Promise<void> {
    const { orderId, customerEmail, notifyMaxAttempts } = this.input;
    const { totalCents, currency } = this.payment;
    try {
      await this.notify({ orderId, kind, to: customerEmail, data: { orderId, totalCents, currency, ...data }, maxAttempts: notifyMaxAttempts, ...(about ? { about } : {}) });
    } catch (err) {
      // A notification must never fail the order; the activity records what it could not send.
      log.warn('notification not sent', { orderId, kind, error: describeError(err) });
    }
  }
}

function verdictOf(outcome: PaymentOutcome): PaymentVerdict {
  if (outcome.kind === 'succeeded') return { kind: 'paid' };
  if (outcome.kind === 'mismatch') return { kind: 'mismatch', event: outcome.event };
  return { kind: 'unpaid', reason: outcome.reason };
}

function checkAsEvent(paymentId: string, check: PaymentCheck): PaymentEvent {
  return { eventId: `reconciliation:${paymentId}`, type: 'payment.succeeded', paymentId, amountCents: check.amountCents ?? 0, currency: check.currency ?? '' };
}
