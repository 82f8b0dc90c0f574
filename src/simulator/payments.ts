import { DomainError, found } from '../errors';
import type { Logger } from '../logger';
import type { SimulatorPayment } from '../wire/simulator-payment';
import type { SimulatorToken } from '../wire/simulator-tokens';
import { simulatorTokenSpec } from '../wire/simulator-tokens';
import type { WebhookEvent, WebhookEventType } from '../wire/webhook-event';
import type { AccountStore } from './accounts';
import { IdempotencyStore, fingerprint } from './idempotency';
import { newId } from './ids';
import type { CreatePaymentBody } from './schemas';
import type { TimerSet } from './timers';
import type { SettlementDelays } from './tokens';
import { sendsWebhook, settlementDelayMs } from './tokens';
import type { WebhookDispatcher } from './webhook-dispatcher';

/** A payment as the simulator answers it: the payment resource plus what this provider also returns. */
export interface SimulatedPayment extends SimulatorPayment {
  token: SimulatorToken;
  metadata?: CreatePaymentBody['metadata'];
  createdAt: string;
  updatedAt: string;
}

export interface PaymentServiceDeps {
  accounts: AccountStore;
  webhooks: WebhookDispatcher;
  timers: TimerSet;
  delays: SettlementDelays;
  now: () => Date;
  logger: Logger;
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
  private readonly refundKeys = new IdempotencyStore<string>();

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
      ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
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
   * A pending payment becomes `voided` and can no longer succeed (webhook `payment.failed`, reason `voided`).
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
      case 'voided':
      case 'failed':
        return this.view(payment);
      case 'succeeded':
      case 'refunded':
        throw new DomainError('not_voidable', `payment ${id} is ${payment.status}; refund it instead`);
    }
  }

  /**
   * A succeeded payment is refunded in full: `refunded`, the wallet credited back for tok_wallet, webhook
   * `payment.refunded`. The same key answers the same refund again (`replayed`); another key on an already
   * refunded payment also answers it unchanged, never crediting twice. Anything not (yet) succeeded is
   * `not_refundable`, and the key is not spent, so it can be used again once the payment has succeeded.
   */
  refund(id: string, idempotencyKey: string): { payment: SimulatedPayment; replayed: boolean } {
    const refundedId = this.refundKeys.lookup(idempotencyKey, id);
    if (refundedId !== undefined) return { payment: this.view(this.require(refundedId)), replayed: true };

    const payment = this.require(id);
    if (payment.status === 'refunded') {
      this.refundKeys.remember(idempotencyKey, id, id);
      return { payment: this.view(payment), replayed: false };
    }
    if (payment.status !== 'succeeded') {
      throw new DomainError(
        'not_refundable',
        `payment ${id} is ${payment.status}; only succeeded payments can be refunded`,
      );
    }
    if (simulatorTokenSpec(payment.token).outcome === 'debits_wallet') this.deps.accounts.credit(payment.customerId, payment.amountCents);
    this.transition(payment, 'refunded');
    this.refundKeys.remember(idempotencyKey, id, id);
    this.report(payment, 'payment.refunded', this.deps.delays.webhookDelayMs);
    return { payment: this.view(payment), replayed: false };
  }

  /** The moment a pending payment's webhook is due: decide its outcome now (unless it was voided meanwhile). */
  private settle(id: string): void {
    this.pendingSettlements.delete(id);
    const payment = this.payments.get(id);
    if (!payment || payment.status !== 'pending') return;
    const outcome = this.decide(payment);
    if (outcome.status === 'succeeded') {
      this.transition(payment, 'succeeded');
      this.report(payment, 'payment.succeeded', 0);
    } else {
      this.transition(payment, 'failed', outcome.reason);
      this.report(payment, 'payment.failed', 0, outcome.reason);
    }
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

  private report(payment: SimulatedPayment, type: WebhookEventType, delayMs: number, reason?: string): void {
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
      ...(p.metadata === undefined ? {} : { metadata: { ...p.metadata } }),
      ...(p.failureReason === undefined ? {} : { failureReason: p.failureReason }),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}
