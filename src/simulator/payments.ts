import { DomainError, found } from '../errors';
import type { Logger } from '../logger';
import type { SimulatorPayment } from '../wire/simulator-payment';
import type { SimulatorToken } from '../wire/simulator-tokens';
import { EXPIRING_AUTHORIZATION_TOKEN, simulatorTokenSpec } from '../wire/simulator-tokens';
import type { WebhookEvent, WebhookEventType } from '../wire/webhook-event';
import type { AccountStore } from './accounts';
import { IdempotencyStore, fingerprint } from './idempotency';
import { newId } from './ids';
import type { CreatePaymentBody } from './schemas';
import type { TimerSet } from './timers';
import type { SettlementDelays } from './tokens';
import { DEFAULT_AUTH_TTL_MS, sendsWebhook, settlementDelayMs } from './tokens';
import type { WebhookDispatcher } from './webhook-dispatcher';

/** A payment as the simulator answers it: the payment resource plus what this provider also returns. */
export interface SimulatedPayment extends SimulatorPayment {
  token: SimulatorToken;
  refundedCents: number;
  /** Its refunds, oldest first: a payment may be refunded in several parts, each with its own webhook. */
  refunds: SimulatedRefund[];
  metadata?: CreatePaymentBody['metadata'];
  /** `manual`: authorized when it settles, captured (in full or in part) by POST /v1/payments/{id}/capture. */
  capture?: 'manual';
  createdAt: string;
  updatedAt: string;
}

/** One refund of a payment. */
export interface SimulatedRefund {
  id: string;
  amountCents: number;
  createdAt: string;
}

/** A refund request's answer: the payment as it stands, and the refund this request made (none when there was nothing left). */
export interface RefundAnswer {
  payment: SimulatedPayment;
  refund?: SimulatedRefund;
  replayed: boolean;
}

export interface PaymentServiceDeps {
  accounts: AccountStore;
  webhooks: WebhookDispatcher<WebhookEvent>;
  timers: TimerSet;
  delays: SettlementDelays;
  now: () => Date;
  logger: Logger;
  /** Told when a payment's money is captured (with automatic capture: when it succeeds); disputes start there. */
  onCaptured?: (payment: SimulatedPayment) => void;
}

type Outcome = { status: 'succeeded' } | { status: 'failed'; reason: 'card_declined' | 'insufficient_funds' };

/**
 * The payment service provider's ledger: payments, their outcomes, voids and refunds, and the webhooks that report
 * each change.
 *
 * Timing, on purpose: a payment is created `pending` and its outcome is decided only when it settles, i.e. when
 * its webhook is due (after SIM_WEBHOOK_DELAY_MS, or SIM_SLOW_MS for tok_slow), not at creation. Until then a void
 * wins: the payment becomes `voided`, is never charged (no wallet debit) and never reports success. This is the
 * race the saga's timeout/cancel path depends on, and it is how authorisations behave at real providers.
 *
 * Every method is synchronous, so an idempotency lookup and the write that follows it cannot interleave with
 * another request.
 */
export class PaymentService {
  private readonly payments = new Map<string, SimulatedPayment>();
  private readonly pendingSettlements = new Map<string, () => void>();
  private readonly creationKeys = new IdempotencyStore<string>();
  /** Capture key → the payment it captured. */
  private readonly captureKeys = new IdempotencyStore<string>();
  /** Key → the payment and the refund it made (none: the payment was already refunded in full). */
  private readonly refundKeys = new IdempotencyStore<{ paymentId: string; refundId?: string }>();

  constructor(private readonly deps: PaymentServiceDeps) {}

  /** `replayed` is true when the key was seen before: the same payment is answered and nothing is charged again. */
  create(body: CreatePaymentBody, idempotencyKey: string): { payment: SimulatedPayment; replayed: boolean } {
    const requestFingerprint = fingerprint(body);
    const existingId = this.creationKeys.lookup(idempotencyKey, requestFingerprint);
    if (existingId !== undefined) return { payment: this.view(this.require(existingId)), replayed: true };

    const at = this.deps.now().toISOString();
    const payment: SimulatedPayment = {
      id: newId('pay'),
      status: 'pending',
      orderId: body.orderId,
      customerId: body.customerId,
      amountCents: body.amountCents,
      currency: body.currency,
      token: body.token,
      refundedCents: 0,
      refunds: [],
      ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      ...(body.capture === 'manual' ? { capture: 'manual' as const } : {}),
      createdAt: at,
      updatedAt: at,
    };
    this.payments.set(payment.id, payment);
    this.creationKeys.remember(idempotencyKey, requestFingerprint, payment.id);

    const delay = settlementDelayMs(payment.token, this.deps.delays);
    if (delay !== undefined) {
      this.pendingSettlements.set(
        payment.id,
        this.deps.timers.after(delay, () => this.settle(payment.id)),
      );
    }
    this.deps.logger.debug(
      { paymentId: payment.id, orderId: payment.orderId, token: payment.token },
      'payment created',
    );
    return { payment: this.view(payment), replayed: false };
  }

  get(id: string): SimulatedPayment | undefined {
    const payment = this.payments.get(id);
    return payment && this.view(payment);
  }

  list(orderId?: string): SimulatedPayment[] {
    return [...this.payments.values()]
      .filter((p) => orderId === undefined || p.orderId === orderId)
      .map((p) => this.view(p));
  }

  /**
   * A pending payment becomes `voided` and can no longer succeed (webhook `payment.failed`, reason `voided`); an
   * authorized one (manual capture) is voided too, its hold released (a tok_wallet hold goes back to the account).
   * Idempotent: voiding a voided payment, or one that already failed, answers it unchanged — either way it will
   * never take money, which is all a compensating void needs. Money already taken is `not_voidable` (refund it).
   */
  void(id: string): SimulatedPayment {
    const payment = this.require(id);
    switch (payment.status) {
      case 'pending':
        this.pendingSettlements.get(id)?.();
        this.pendingSettlements.delete(id);
        this.transition(payment, 'voided', 'voided');
        this.report(payment, 'payment.failed', this.deps.delays.webhookDelayMs, 'voided');
        return this.view(payment);
      case 'authorized':
        this.releaseHold(payment, payment.amountCents);
        this.transition(payment, 'voided', 'voided');
        this.report(payment, 'payment.failed', this.deps.delays.webhookDelayMs, 'voided');
        return this.view(payment);
      case 'voided':
      case 'failed':
        return this.view(payment);
      case 'succeeded':
      case 'refunded':
        throw new DomainError('not_voidable', `payment ${id} is ${payment.status}; refund it instead`);
    }
  }

  /**
   * Captures an authorized payment (manual capture), in full or (with `amountCents`) in part: it becomes `succeeded`
   * with `capturedCents`, and the rest of the hold is released (credited back to a tok_wallet account); webhook
   * `payment.succeeded`. The same key answers the same capture again (`replayed`); a payment already captured is
   * answered unchanged whatever the key. A hold that lapsed (tok_auth_expires after SIM_AUTH_TTL_MS) is 409
   * `authorization_expired`; a payment that is not authorized is 409 `not_capturable`; more than was authorized is
   * 422 `capture_exceeds_authorized`.
   */
  capture(id: string, idempotencyKey: string, amountCents?: number): { payment: SimulatedPayment; replayed: boolean } {
    const requestFingerprint = amountCents === undefined ? id : `${id}:${amountCents}`;
    const earlier = this.captureKeys.lookup(idempotencyKey, requestFingerprint);
    if (earlier !== undefined) return { payment: this.view(this.require(earlier)), replayed: true };

    const payment = this.require(id);
    if (payment.capture === 'manual' && (payment.status === 'succeeded' || payment.status === 'refunded')) {
      return { payment: this.view(payment), replayed: false };
    }
    if (payment.status === 'voided' && payment.failureReason === 'authorization_expired') {
      throw new DomainError('authorization_expired', `the authorization of payment ${id} has expired`);
    }
    if (payment.status !== 'authorized') {
      throw new DomainError('not_capturable', `payment ${id} is ${payment.status}; only authorized payments can be captured`);
    }
    const amount = amountCents ?? payment.amountCents;
    if (amount > payment.amountCents) {
      throw new DomainError('capture_exceeds_authorized', `payment ${id} holds ${payment.amountCents}, not ${amount}`, {
        authorizedCents: payment.amountCents,
      });
    }
    this.releaseHold(payment, payment.amountCents - amount);
    payment.capturedCents = amount;
    this.transition(payment, 'succeeded');
    this.captureKeys.remember(idempotencyKey, requestFingerprint, id);
    this.report(payment, 'payment.succeeded', this.deps.delays.webhookDelayMs);
    this.deps.onCaptured?.(this.view(payment));
    return { payment: this.view(payment), replayed: false };
  }

  /**
   * Refunds a succeeded payment, in full or (with `amountCents`) in part: each refund has its own id and webhook,
   * `payment.partially_refunded` while some money is left, `payment.refunded` once the whole amount is back (the
   * payment is then `refunded`); a tok_wallet payment is credited back by each. Without `amountCents` the refund
   * gives back whatever is left. The same key answers the same refund again (`replayed`); another key on an already
   * refunded payment answers it unchanged, never crediting twice. More than is left is 422
   * `refund_exceeds_captured`; anything not (yet) succeeded is `not_refundable`, and the key is not spent, so it
   * can be used again once the payment has succeeded.
   */
  refund(id: string, idempotencyKey: string, amountCents?: number): RefundAnswer {
    // The fingerprint of a full refund is the payment id alone, as it was before refunds could be partial.
    const requestFingerprint = amountCents === undefined ? id : `${id}:${amountCents}`;
    const earlier = this.refundKeys.lookup(idempotencyKey, requestFingerprint);
    if (earlier !== undefined) {
      const payment = this.require(earlier.paymentId);
      return {
        payment: this.view(payment),
        refund: payment.refunds.find((r) => r.id === earlier.refundId),
        replayed: true,
      };
    }

    const payment = this.require(id);
    if (payment.status === 'refunded') {
      this.refundKeys.remember(idempotencyKey, requestFingerprint, { paymentId: id });
      return { payment: this.view(payment), replayed: false };
    }
    if (payment.status !== 'succeeded') {
      throw new DomainError(
        'not_refundable',
        `payment ${id} is ${payment.status}; only succeeded payments can be refunded`,
      );
    }
    const left = capturedOf(payment) - payment.refundedCents;
    const amount = amountCents ?? left;
    if (amount > left) {
      throw new DomainError('refund_exceeds_captured', `payment ${id} has ${left} left to refund, not ${amount}`, {
        refundableCents: left,
      });
    }
    if (simulatorTokenSpec(payment.token).outcome === 'debits_wallet')
      this.deps.accounts.credit(payment.customerId, amount);
    const refund: SimulatedRefund = { id: newId('re'), amountCents: amount, createdAt: this.deps.now().toISOString() };
    payment.refunds.push(refund);
    payment.refundedCents += amount;
    const whole = payment.refundedCents === capturedOf(payment);
    if (whole) this.transition(payment, 'refunded');
    else payment.updatedAt = refund.createdAt;
    this.refundKeys.remember(idempotencyKey, requestFingerprint, { paymentId: id, refundId: refund.id });
    this.report(
      payment,
      whole ? 'payment.refunded' : 'payment.partially_refunded',
      this.deps.delays.webhookDelayMs,
      undefined,
      refund,
    );
    return { payment: this.view(payment), refund: { ...refund }, replayed: false };
  }

  /** The moment a pending payment's webhook is due: decide its outcome now (unless it was voided meanwhile). */
  private settle(id: string): void {
    this.pendingSettlements.delete(id);
    const payment = this.payments.get(id);
    if (!payment || payment.status !== 'pending') return;
    const outcome = this.decide(payment);
    if (outcome.status === 'succeeded' && payment.capture === 'manual') {
      this.authorize(payment);
    } else if (outcome.status === 'succeeded') {
      this.transition(payment, 'succeeded');
      this.report(payment, 'payment.succeeded', 0);
      this.deps.onCaptured?.(this.view(payment));
    } else {
      this.transition(payment, 'failed', outcome.reason);
      this.report(payment, 'payment.failed', 0, outcome.reason);
    }
  }

  /** Manual capture: the money is held, not taken (webhook `payment.authorized`); a tok_auth_expires hold lapses. */
  private authorize(payment: SimulatedPayment): void {
    this.transition(payment, 'authorized');
    this.report(payment, 'payment.authorized', 0);
    if (payment.token !== EXPIRING_AUTHORIZATION_TOKEN) return;
    this.deps.timers.after(this.deps.delays.authTtlMs ?? DEFAULT_AUTH_TTL_MS, () => {
      if (payment.status !== 'authorized') return;
      // The hold lapses quietly, as at card networks: the merchant learns it when the capture is refused.
      this.releaseHold(payment, payment.amountCents);
      this.transition(payment, 'voided', 'authorization_expired');
    });
  }

  /** Gives back the part of a tok_wallet hold that will not be captured (a hold debits the account when granted). */
  private releaseHold(payment: SimulatedPayment, amountCents: number): void {
    if (amountCents > 0 && simulatorTokenSpec(payment.token).outcome === 'debits_wallet') this.deps.accounts.credit(payment.customerId, amountCents);
  }

  private decide(payment: SimulatedPayment): Outcome {
    switch (simulatorTokenSpec(payment.token).outcome) {
      case 'declined':
        return { status: 'failed', reason: 'card_declined' };
      case 'debits_wallet':
        return this.deps.accounts.tryDebit(payment.customerId, payment.amountCents)
          ? { status: 'succeeded' }
          : { status: 'failed', reason: 'insufficient_funds' };
      case 'succeeds':
        return { status: 'succeeded' };
    }
  }

  private transition(payment: SimulatedPayment, status: SimulatorPayment['status'], failureReason?: string): void {
    payment.status = status;
    if (failureReason !== undefined) payment.failureReason = failureReason;
    payment.updatedAt = this.deps.now().toISOString();
    this.deps.logger.debug(
      { paymentId: payment.id, orderId: payment.orderId, status, failureReason },
      'payment changed',
    );
  }

  private report(
    payment: SimulatedPayment,
    type: WebhookEventType,
    delayMs: number,
    reason?: string,
    refund?: SimulatedRefund,
  ): void {
    if (!sendsWebhook(payment.token, type)) return;
    const event: WebhookEvent = {
      id: newId('evt'),
      type,
      createdAt: this.deps.now().toISOString(),
      data: {
        paymentId: payment.id,
        orderId: payment.orderId,
        amountCents: payment.amountCents,
        currency: payment.currency,
        ...(reason === undefined ? {} : { reason }),
        ...(refund === undefined
          ? {}
          : { refundId: refund.id, refundAmountCents: refund.amountCents, refundedCents: payment.refundedCents }),
      },
    };
    this.deps.webhooks.enqueue(event, delayMs);
  }

  private require(id: string): SimulatedPayment {
    return found(this.payments.get(id), 'payment', id);
  }

  /** A copy in a stable key order, so callers can never mutate the ledger. */
  private view(p: SimulatedPayment): SimulatedPayment {
    return {
      id: p.id,
      status: p.status,
      orderId: p.orderId,
      customerId: p.customerId,
      amountCents: p.amountCents,
      currency: p.currency,
      token: p.token,
      refundedCents: p.refundedCents,
      refunds: p.refunds.map((r) => ({ ...r })),
      ...(p.capture === undefined ? {} : { capture: p.capture }),
      ...(p.capturedCents === undefined ? {} : { capturedCents: p.capturedCents }),
      ...(p.metadata === undefined ? {} : { metadata: { ...p.metadata } }),
      ...(p.failureReason === undefined ? {} : { failureReason: p.failureReason }),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}

/** What a payment took: the capture's amount under manual capture, the whole amount otherwise. */
function capturedOf(payment: SimulatedPayment): number {
  return payment.capturedCents ?? payment.amountCents;
}
