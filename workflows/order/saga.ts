import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  TemporalFailure,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { OrderStatusKey, OrderTotalCentsKey } from '../search-attributes';
import type { refundLatePaymentWorkflow } from '../refund';
import * as act from './activities-proxy';
import type { NotificationKind, PaymentCheck, StatusChange } from './activity-types';
import { CompensationStack, describeError } from './compensation-stack';
import type { CancelResult, OrderSagaState, OrderWorkflowInput, PaymentEvent, PlacementResult, Rejection } from './definitions';
import {
  cancelOrderUpdate,
  NOT_CANCELLABLE,
  NOT_RETRYABLE,
  orderStateQuery,
  paymentEventSignal,
  placeOrderUpdate,
  refundWorkflowId,
  retryCompensationUpdate,
} from './definitions';
import type { PaymentBinding, PaymentOutcome } from './payment-inbox';
import { classifyPaymentEvent } from './payment-inbox';
import type { EndReason, OrderStatus } from './state-machine';
import { canMove, compensationFailed, declineReason, isTerminal } from './state-machine';

/** Everything the saga knows, in one place: what the query answers and the Web UI's details are made of. */
interface SagaState {
  status: OrderStatus;
  /** Position of the last history row written. */
  seq: number;
  failureReason?: string;
  paymentStatus: string;
  payment: PaymentBinding;
  outcome?: PaymentOutcome;
  refundConfirmed: boolean;
  /** The provider's reason, when it reported that the refund of the saga's own payment failed. */
  refundFailure?: string;
  placement?: Exclude<PlacementResult, { outcome: 'idempotency_key_reused' }>;
  placementAnswers: number;
  cancelRequested: boolean;
  /** A Temporal-level cancel (Web UI, CLI) was requested. */
  operatorCancelled: boolean;
  refunding: boolean;
  retryRequested: boolean;
}

/** Marks sagas that wait for the refund confirmation after a Temporal cancel (see awaitRefundConfirmation). */
const REFUND_WAIT_AFTER_CANCEL = 'order-saga-refund-wait-after-cancel';

/** How the wait for the payment ended. */
type PaymentVerdict = { kind: 'paid' } | { kind: 'unpaid'; reason: EndReason } | { kind: 'mismatch'; event: PaymentEvent };

/**
 * One order's life as named steps: record → reserve stock → request payment → await payment (reconcile with the
 * provider before timing out) → commit the sale → cancellation window → complete. Each step pushes its
 * compensation before it runs; every ending (reject, cancel, refund, needs attention) runs without being
 * interruptible by cancellation.
 */
export class OrderSaga {
  private readonly s: SagaState = {
    status: 'PENDING',
    seq: 0,
    paymentStatus: 'not_requested',
    payment: { known: false, totalCents: 0, currency: '', keepsNoMoney: false },
    refundConfirmed: false,
    placementAnswers: 0,
    cancelRequested: false,
    operatorCancelled: false,
    refunding: false,
    retryRequested: false,
  };
  private readonly compensations: CompensationStack;
  private readonly notify: ReturnType<typeof act.localNotificationStep>;
  private readonly seenEvents = new Set<string>();
  private readonly inbox: PaymentEvent[] = [];
  private readonly refundsStarted = new Map<string, Promise<void>>();

  constructor(private readonly input: OrderWorkflowInput) {
    this.compensations = new CompensationStack(input.orderId);
    this.notify = act.localNotificationStep(input.notifyMaxAttempts);
    this.registerHandlers();
    CancellationScope.current().cancelRequested.catch(() => {
      this.s.operatorCancelled = true;
    });
  }

  async run(): Promise<OrderSagaState> {
    try {
      await this.record();
      const rejection = await this.reserveStock();
      if (rejection) return await this.reject(rejection);
      const refused = this.s.cancelRequested ? undefined : await this.requestPayment();
      this.paymentKnown();
      this.accepted();
      if (refused) return await this.cancel(refused);

      const verdict = await this.awaitPayment();
      if (verdict.kind === 'mismatch') return await this.paymentMismatch(verdict.event);
      if (verdict.kind === 'unpaid') return await this.cancel(verdict.reason);

      await this.commitSale();
      if (!(await this.cancellationWindow())) return await this.complete();
      return await this.refund('customer_cancelled');
    } catch (err) {
      if (isCancellation(err)) return await this.cancelledByOperator();
      if (err instanceof StepFailure) return await this.stepFailed(err);
      throw err;
    } finally {
      await Promise.all(this.refundsStarted.values());
    }
  }

  // ---- forward steps ----------------------------------------------------------------------------------------

  private async record(): Promise<void> {
    const { input } = this;
    await act.local.createOrderRecord({
      orderId: input.orderId,
      workflowId: `order-${input.orderId}`,
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
    const change = this.nextStatus('RESERVED');
    let reserved;
    try {
      reserved = await act.local.reserveOrderStock(orderId, items, change);
    } catch (err) {
      const rejection = businessRejection(err);
      if (!rejection) throw stepFailure('reserveOrderStock', err);
      this.compensations.retire('release_stock'); // refused as a whole: nothing was reserved
      return rejection;
    }
    this.s.payment.totalCents = reserved.totalCents;
    this.s.payment.currency = reserved.currency;
    this.statusWritten(change);
    return undefined;
  }

  /**
   * Asks the provider to charge; the order id is its idempotency key, so a retried attempt never charges twice.
   * The compensation voids or refunds by order, so it also covers a charge whose creation answer was lost.
   * Answers why the order cannot be paid, when the provider refused or could not be reached.
   */
  private async requestPayment(): Promise<EndReason | undefined> {
    const { orderId, customerId, paymentToken } = this.input;
    const { payment } = this.s;
    this.compensations.push({
      name: 'void_or_refund_payment',
      run: async () => {
        this.s.paymentStatus = (await act.voidOrRefundOrderPayments(orderId, payment.paymentId)).status;
      },
    });
    // Written by the request itself once the provider answered (with its payment id), before the saga waits: from
    // then on only this payment's events move the order.
    const change = this.nextStatus('AWAITING_PAYMENT', { paymentStatus: 'pending' });
    try {
      const requested = await act.local.requestPayment({ orderId, customerId, amountCents: payment.totalCents, currency: payment.currency, token: paymentToken }, change);
      payment.paymentId = requested.paymentId;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('payment could not be requested', { orderId, error: describeError(err) });
      return businessRejection(err) ? 'payment_refused' : 'payment_request_failed';
    }
    this.paymentKnown();
    this.statusWritten({ ...change, providerPaymentId: payment.paymentId });
    return undefined;
  }

  /** The provider's verdict, the customer's cancel, or, at PAYMENT_TIMEOUT, what the provider says when asked. */
  private async awaitPayment(): Promise<PaymentVerdict> {
    const decided = await condition(() => this.s.outcome !== undefined || this.s.cancelRequested, this.input.paymentTimeoutMs, {
      summary: 'Wait for the payment webhook',
    });
    if (this.s.outcome) return verdictOf(this.s.outcome);
    if (decided) return { kind: 'unpaid', reason: 'customer_cancelled' };
    return this.reconcile();
  }

  /**
   * No webhook in time: the provider is asked before the order is given up. Succeeded → paid (the webhook was
   * lost); failed → declined; pending or no answer → the cancel voids it, and the order is cancelled once the void
   * is confirmed (a void that cannot be confirmed leaves the order in NEEDS_ATTENTION).
   */
  private async reconcile(): Promise<PaymentVerdict> {
    const { paymentId } = this.s.payment;
    let check: PaymentCheck = { status: 'unknown' };
    if (paymentId !== undefined) {
      try {
        check = await act.checkPayment(paymentId);
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('the provider could not be asked about the payment', { orderId: this.input.orderId, paymentId, error: describeError(err) });
      }
    }
    if (this.s.outcome) return verdictOf(this.s.outcome); // the webhook arrived while we were asking
    if (check.status === 'succeeded') {
      const matches = check.amountCents === this.s.payment.totalCents && check.currency === this.s.payment.currency;
      this.s.outcome = matches ? { kind: 'succeeded' } : { kind: 'mismatch', event: checkAsEvent(paymentId!, check) };
      return verdictOf(this.s.outcome);
    }
    if (check.status === 'failed') return { kind: 'unpaid', reason: declineReason(check.failureReason) };
    return { kind: 'unpaid', reason: 'payment_timeout' };
  }

  /** Paid: the reservation becomes a sale. Its compensation (restock) replaces the release of the reservation. */
  private async commitSale(): Promise<void> {
    const { orderId } = this.input;
    this.compensations.push({ name: 'restock', run: () => act.restockOrder(orderId) });
    const change = this.nextStatus('PAID', { paymentStatus: 'succeeded' });
    await forward('commitOrderStock', () => act.local.commitOrderStock(orderId, change));
    this.compensations.retire('release_stock');
    this.statusWritten(change);
  }

  /** True when the customer cancelled within CANCEL_WINDOW. */
  private async cancellationWindow(): Promise<boolean> {
    const confirmation = this.sendNotification('order_confirmed');
    const cancelled = await condition(() => this.s.cancelRequested, this.input.cancelWindowMs, { summary: 'Cancellation window' });
    await confirmation;
    return cancelled;
  }

  // ---- endings (cancellation cannot interrupt them) -----------------------------------------------------------

  private complete(): Promise<OrderSagaState> {
    return this.ending(async () => {
      await this.setStatus('COMPLETED');
    });
  }

  private reject(rejection: Rejection): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.paymentKnown();
      await this.setStatus('REJECTED', { reason: rejection.code, failureReason: rejection.code, rejection });
      this.s.placement = { outcome: 'rejected', replayed: false, rejection };
    });
  }

  /** Not paid: void (or refund) the order's payments and release the stock, then CANCELLED. */
  private cancel(reason: EndReason): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.s.payment.keepsNoMoney = true;
      if (!(await this.compensateUntilDone(reason))) return;
      await this.setStatus('CANCELLED', { reason, failureReason: reason, paymentStatus: this.s.paymentStatus });
      await this.sendNotification('order_cancelled', { reason });
      await this.awaitRefundConfirmation();
    });
  }

  /** Paid, then cancelled: restock and refund, then REFUNDED once the provider says the money went back. */
  private refund(reason: EndReason): Promise<OrderSagaState> {
    return this.ending(async () => {
      this.s.refunding = true;
      this.s.payment.keepsNoMoney = true;
      if (!(await this.compensateUntilDone(reason))) return;
      await this.setStatus('REFUNDED', { reason, failureReason: reason === 'customer_cancelled' ? null : reason, paymentStatus: this.s.paymentStatus });
      await this.sendNotification('order_refunded');
      await this.awaitRefundConfirmation();
    });
  }

  /** A success for another amount or currency is not a payment of this order: undo everything, then an operator looks. */
  private paymentMismatch(event: PaymentEvent): Promise<OrderSagaState> {
    return this.ending(async () => {
      const { totalCents, currency } = this.s.payment;
      log.error('payment amount or currency differs from the order', { orderId: this.input.orderId, expected: { totalCents, currency }, got: event });
      this.s.payment.keepsNoMoney = true;
      if (!(await this.compensateUntilDone('payment_amount_mismatch'))) return;
      await this.setStatus('NEEDS_ATTENTION', { reason: 'payment_amount_mismatch', failureReason: 'payment_amount_mismatch', paymentStatus: this.s.paymentStatus });
    });
  }

  /** Cancelled through Temporal itself (Web UI, CLI): before payment void + release, after it refund + restock. */
  private cancelledByOperator(): Promise<OrderSagaState> {
    this.s.placement ??= { outcome: 'rejected', replayed: false, rejection: { code: 'cancelled_by_operator', message: 'the order was cancelled by an operator' } };
    if (isTerminal(this.s.status)) return this.ending(async () => undefined);
    return this.s.status === 'PAID' ? this.refund('cancelled_by_operator') : this.cancel('cancelled_by_operator');
  }

  /** A step failed in a way retrying cannot fix (e.g. the database refused its statement): undo, then CANCELLED. */
  private stepFailed({ step, failure }: StepFailure): Promise<OrderSagaState> {
    log.error('a saga step failed for good', { orderId: this.input.orderId, step, error: describeError(failure) });
    this.s.placement ??= { outcome: 'rejected', replayed: false, rejection: { code: 'service_unavailable', message: 'the order could not be placed' } };
    const reason: EndReason = `step_failed:${step}`;
    return this.s.status === 'PAID' ? this.refund(reason) : this.cancel(reason);
  }

  private async ending(body: () => Promise<void>): Promise<OrderSagaState> {
    await CancellationScope.nonCancellable(body);
    return this.view();
  }

  // ---- compensation -------------------------------------------------------------------------------------------

  /**
   * Runs every compensation left. One that still fails after its retries is never dropped: the order waits in
   * NEEDS_ATTENTION until an operator retries it. A Temporal cancel while waiting runs them once more and, if
   * they still fail, leaves the order in NEEDS_ATTENTION (false). `attention`: the order already needs an operator
   * for that reason, so the compensations wait for a retry before they run.
   */
  private async compensateUntilDone(reason: string, attention?: string): Promise<boolean> {
    let done = attention === undefined ? await this.compensations.run() : false;
    while (!done) {
      const payment = attention === undefined ? {} : { paymentStatus: this.s.paymentStatus };
      await this.setStatus('NEEDS_ATTENTION', { reason: attention ?? compensationFailed(this.compensations.failed), failureReason: attention ?? reason, ...payment });
      attention = undefined;
      const wasCancelled = this.s.operatorCancelled;
      await condition(() => this.s.retryRequested || (this.s.operatorCancelled && !wasCancelled));
      const retried = this.s.retryRequested;
      this.s.retryRequested = false;
      done = await this.compensations.run();
      if (!retried && !done) return false;
    }
    this.compensations.failed = [];
    return true;
  }

  /**
   * A refund is claimed once the provider answered `refunded`; its `payment.refunded` webhook confirms it in the
   * history. When the provider reports instead that the refund failed, the claim is withdrawn: the order needs an
   * operator, whose retry asks the provider for a new refund; the order ends as it was once that one is answered.
   */
  private async awaitRefundConfirmation(): Promise<void> {
    const { orderId } = this.input;
    // A Temporal cancel that caused the refund waits for its confirmation too; only a further cancel stops the wait.
    // (Sagas that began before this rule stop at once: replay must see the same commands.)
    const cancelledBefore = this.s.operatorCancelled && patched(REFUND_WAIT_AFTER_CANCEL);
    for (let attempt = 2; this.s.paymentStatus === 'refunded'; attempt++) {
      const stopped = () => this.s.operatorCancelled && !cancelledBefore;
      const settled = await condition(() => this.s.refundConfirmed || this.s.refundFailure !== undefined || stopped(), this.input.paymentTimeoutMs, {
        summary: 'Wait for the refund confirmation',
      });
      if (settled && this.s.refundConfirmed) return await this.setStatus(this.s.status, { reason: 'refund_confirmed', paymentStatus: 'refunded' });
      if (this.s.refundFailure === undefined) return;

      log.error('the provider reports that the refund failed', { orderId, paymentId: this.s.payment.paymentId, reason: this.s.refundFailure });
      const ended = { status: this.s.status, failureReason: this.s.failureReason ?? null };
      this.s.refundFailure = undefined;
      this.s.paymentStatus = 'succeeded';
      const paymentId = this.s.payment.paymentId;
      this.compensations.push({
        name: 'refund_payment',
        run: async () => {
          this.s.paymentStatus = (await act.voidOrRefundOrderPayments(orderId, paymentId, attempt)).status;
        },
      });
      this.compensations.awaitOperator();
      if (!(await this.compensateUntilDone('refund_failed', 'refund_failed'))) return;
      await this.setStatus(ended.status, { failureReason: ended.failureReason, paymentStatus: this.s.paymentStatus });
    }
  }

  // ---- payment events -----------------------------------------------------------------------------------------

  /** The saga now knows whether, and which, payment it created: events that were waiting are classified. */
  private paymentKnown(): void {
    this.s.payment.known = true;
    for (const event of this.inbox.splice(0)) this.onPaymentEvent(event);
  }

  private onPaymentEvent(event: PaymentEvent): void {
    const verdict = classifyPaymentEvent(event, this.s.payment, this.s.outcome);
    if (verdict.action === 'outcome') this.s.outcome = verdict.outcome;
    else if (verdict.action === 'refund_confirmed') this.s.refundConfirmed = true;
    else if (verdict.action === 'refund_failed') this.s.refundFailure = verdict.reason;
    else if (verdict.action === 'refund') this.startRefund(verdict.paymentId);
  }

  /** `refund-{paymentId}`: one refund per payment however often its success is delivered, outliving this saga. */
  private startRefund(paymentId: string): void {
    if (this.refundsStarted.has(paymentId)) return;
    log.warn('a payment this order does not keep succeeded: refunding it', { orderId: this.input.orderId, paymentId });
    const start = () =>
      startChild<typeof refundLatePaymentWorkflow>('refundLatePaymentWorkflow', {
        workflowId: refundWorkflowId(paymentId),
        args: [{ orderId: this.input.orderId, paymentId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Refund payment ${paymentId}, which order ${this.input.orderId.slice(0, 8)} does not keep`,
      });
    // Started whatever happens to the saga (even once it is being cancelled): the money must go back.
    const started = CancellationScope.nonCancellable(start).then(
      () => undefined,
      (err) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) log.error('refund workflow not started', { paymentId, error: describeError(err) });
      },
    );
    this.refundsStarted.set(paymentId, started);
  }

  // ---- status, handlers, notifications ------------------------------------------------------------------------

  private accepted(): void {
    this.s.placement = { outcome: 'accepted', replayed: false };
  }

  /** A status change written by its own local activity (the endings, which have no step of their own). */
  private async setStatus(next: OrderStatus, change: Omit<StatusChange, 'status' | 'seq'> = {}): Promise<void> {
    const numbered = this.nextStatus(next, change);
    await act.local.recordOrderStatus(this.input.orderId, numbered);
    this.statusWritten(numbered);
  }

  /**
   * Numbers the next status change, for the step that writes it. The number is used up here, before the step
   * runs: a step cut short (cancelled, failed) may still have written its change, and whatever is written next must
   * come after it.
   */
  private nextStatus(next: OrderStatus, change: Omit<StatusChange, 'status' | 'seq'> = {}): StatusChange {
    if (!canMove(this.s.status, next)) log.error('order status change outside the state machine', { orderId: this.input.orderId, from: this.s.status, to: next });
    this.s.seq += 1;
    return { ...change, status: next, seq: this.s.seq };
  }

  /** The saga's state, search attributes and Web UI details follow a status change its step has written. */
  private statusWritten(change: StatusChange): void {
    if (change.paymentStatus) this.s.paymentStatus = change.paymentStatus;
    if (change.failureReason !== undefined) this.s.failureReason = change.failureReason ?? undefined;
    this.s.status = change.status;
    const { totalCents } = this.s.payment;
    // One upsert per change, in the workflow task of the step that made it; the total rides along once priced.
    upsertSearchAttributes([{ key: OrderStatusKey, value: change.status }, ...(totalCents > 0 ? [{ key: OrderTotalCentsKey, value: totalCents }] : [])]);
    setCurrentDetails(this.describe());
  }

  private view(): OrderSagaState {
    return {
      status: this.s.status,
      failureReason: this.s.failureReason,
      paymentId: this.s.payment.paymentId,
      paymentStatus: this.s.paymentStatus,
      pendingCompensations: [...this.compensations.failed],
    };
  }

  /** What the Web UI shows as the saga's current details: where it is, for whom, for how much. */
  private describe(): string {
    const { input, s } = this;
    const total = s.payment.totalCents > 0 ? `${s.payment.totalCents} ${s.payment.currency} minor units` : 'not priced yet';
    return [
      `**Status:** ${s.status}${s.failureReason ? ` (${s.failureReason})` : ''}`,
      `**Customer:** ${input.customerId}`, // the id only: the email is personal data, kept out of the Web UI
      `**Total:** ${total}`,
      `**Payment:** ${s.paymentStatus}${s.payment.paymentId ? ` (${s.payment.paymentId})` : ''}`,
      `**Items:** ${input.items.map((i) => `${i.quantity} × ${i.productId}`).join(', ')}`,
    ].join('\n');
  }

  private async sendNotification(kind: NotificationKind, data: Record<string, unknown> = {}): Promise<void> {
    const { orderId, customerEmail, notifyMaxAttempts } = this.input;
    const { totalCents, currency } = this.s.payment;
    try {
      await this.notify({ orderId, kind, to: customerEmail, data: { orderId, totalCents, currency, ...data }, maxAttempts: notifyMaxAttempts });
    } catch (err) {
      // A notification must never fail the order; the activity records what it could not send.
      log.warn('notification not sent', { orderId, kind, error: describeError(err) });
    }
  }

  private registerHandlers(): void {
    const { s, input } = this;
    setHandler(orderStateQuery, () => this.view());

    setHandler(placeOrderUpdate, async ({ requestFingerprint }) => {
      if (requestFingerprint !== input.requestFingerprint) return { outcome: 'idempotency_key_reused' };
      // Every request after the first (a retry, or a concurrent twin) is a replay of the same placement.
      const replayed = s.placementAnswers++ > 0;
      await condition(() => s.placement !== undefined);
      return { ...s.placement!, replayed };
    });

    setHandler(
      cancelOrderUpdate,
      async (_request): Promise<CancelResult> => {
        if (s.status === 'CANCELLED') return { outcome: 'already_cancelled', status: s.status };
        s.cancelRequested = true;
        await condition(() => s.status === 'CANCELLED' || s.status === 'REFUNDED' || s.status === 'NEEDS_ATTENTION' || s.status === 'REJECTED');
        const outcome = s.status === 'REFUNDED' ? 'refunded' : s.status === 'NEEDS_ATTENTION' ? 'needs_attention' : 'cancelled';
        return { outcome, status: s.status };
      },
      {
        validator: (_request) => {
          if (s.status === 'CANCELLED') return;
          if (isTerminal(s.status) || s.status === 'NEEDS_ATTENTION' || s.refunding) {
            const what = s.refunding ? 'being refunded' : s.status;
            throw ApplicationFailure.create({ type: NOT_CANCELLABLE, message: `an order that is ${what} cannot be cancelled`, nonRetryable: true });
          }
        },
      },
    );

    setHandler(paymentEventSignal, (event) => {
      if (this.seenEvents.has(event.eventId)) return; // providers deliver at least once
      this.seenEvents.add(event.eventId);
      if (s.payment.known) this.onPaymentEvent(event);
      else this.inbox.push(event);
    });

    setHandler(
      retryCompensationUpdate,
      () => {
        s.retryRequested = true;
        return { accepted: true as const };
      },
      {
        validator: () => {
          if (s.status !== 'NEEDS_ATTENTION' || this.compensations.failed.length === 0) {
            throw ApplicationFailure.create({ type: NOT_RETRYABLE, message: 'the order has no failed compensation to retry', nonRetryable: true });
          }
        },
      },
    );
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

/** The business rejection carried by a failed activity (non-retryable ApplicationFailure), if that is what it was. */
function businessRejection(err: unknown): Rejection | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type && act.BUSINESS_ERRORS.includes(cause.type)) {
    return { code: cause.type, message: cause.message, details: cause.details?.[0] };
  }
  return undefined;
}

/**
 * A forward step failed for good (non-retryable, or out of attempts). A local activity's failure does not name its
 * activity, so the saga names the step.
 */
class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly failure: unknown,
  ) {
    super(`step ${step} failed`);
  }
}

/** The failure of a forward step, named; a cancellation (or anything that is not a Temporal failure) stays as it is. */
function stepFailure(step: string, err: unknown): unknown {
  return isCancellation(err) || !(err instanceof TemporalFailure) ? err : new StepFailure(step, err);
}

async function forward<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw stepFailure(step, err);
  }
}
