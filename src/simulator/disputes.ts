import { DomainError, found } from '../errors';
import type { Logger } from '../logger';
import { DISPUTED_TOKENS } from '../wire/simulator-tokens';
import type { WebhookEvent } from '../wire/webhook-event';
import { newId } from './ids';
import type { SimulatedPayment } from './payments';
import type { TimerSet } from './timers';
import type { WebhookDispatcher } from './webhook-dispatcher';

/** A dispute of a captured payment, as the simulator answers it. */
export interface SimulatedDispute {
  id: string;
  paymentId: string;
  orderId: string;
  status: 'open' | 'won' | 'lost';
  /** What the bank disputes: what was captured and not refunded when the dispute opened. */
  amountCents: number;
  currency: string;
  reason: string;
  createdAt: string;
  updatedAt: string;
}

export interface DisputeServiceDeps {
  webhooks: WebhookDispatcher<WebhookEvent>;
  timers: TimerSet;
  /** SIM_DISPUTE_DELAY_MS: from the capture to `dispute.created`. */
  disputeDelayMs: number;
  /** SIM_WEBHOOK_DELAY_MS: from a close to its `dispute.closed`. */
  webhookDelayMs: number;
  /** The payment as it stands when the dispute opens (its refunds so far). */
  payment: (id: string) => SimulatedPayment | undefined;
  now: () => Date;
  logger: Logger;
}

/**
 * The customer's bank disputing captured payments: a payment made with a disputed token (`tok_disputed`) is
 * disputed SIM_DISPUTE_DELAY_MS after its money was captured (`dispute.created`, reason `fraudulent`), and stays
 * open until someone closes it (`POST /v1/disputes/{id}/close`, `dispute.closed` won or lost), as a card network
 * decides weeks later. Its webhooks go through the same dispatcher as the payments' (signed, retried, duplicated and
 * shuffled under fault injection).
 */
export class DisputeService {
  private readonly disputes = new Map<string, SimulatedDispute>();
  private readonly scheduled = new Set<string>();

  constructor(private readonly deps: DisputeServiceDeps) {}

  /** The payment's money was captured: a disputed token's payment is disputed SIM_DISPUTE_DELAY_MS later, once. */
  captured(payment: SimulatedPayment): void {
    if (!DISPUTED_TOKENS.includes(payment.token) || this.scheduled.has(payment.id)) return;
    this.scheduled.add(payment.id);
    this.deps.timers.after(this.deps.disputeDelayMs, () => this.open(payment.id));
  }

  get(id: string): SimulatedDispute | undefined {
    const dispute = this.disputes.get(id);
    return dispute && { ...dispute };
  }

  list(orderId?: string): SimulatedDispute[] {
    return [...this.disputes.values()].filter((d) => orderId === undefined || d.orderId === orderId).map((d) => ({ ...d }));
  }

  /**
   * Closes an open dispute, `won` (the merchant keeps the money) or `lost` (it goes back to the customer), and
   * reports it (`dispute.closed`). Closing it again the same way answers it unchanged; the other way is 409
   * `dispute_closed`.
   */
  close(id: string, outcome: 'won' | 'lost'): SimulatedDispute {
    const dispute = found(this.disputes.get(id), 'dispute', id);
    if (dispute.status === outcome) return { ...dispute };
    if (dispute.status !== 'open') throw new DomainError('dispute_closed', `dispute ${id} was already closed ${dispute.status}`);
    dispute.status = outcome;
    dispute.updatedAt = this.deps.now().toISOString();
    this.report(dispute, 'dispute.closed', this.deps.webhookDelayMs);
    return { ...dispute };
  }

  private open(paymentId: string): void {
    const payment = this.deps.payment(paymentId);
    if (!payment || payment.status !== 'succeeded') return;
    const at = this.deps.now().toISOString();
    const dispute: SimulatedDispute = {
      id: newId('dp'),
      paymentId,
      orderId: payment.orderId,
      status: 'open',
      amountCents: (payment.capturedCents ?? payment.amountCents) - payment.refundedCents,
      currency: payment.currency,
      reason: 'fraudulent',
      createdAt: at,
      updatedAt: at,
    };
    this.disputes.set(dispute.id, dispute);
    this.deps.logger.debug({ disputeId: dispute.id, paymentId, orderId: dispute.orderId }, 'payment disputed');
    this.report(dispute, 'dispute.created', 0);
  }

  private report(dispute: SimulatedDispute, type: 'dispute.created' | 'dispute.closed', delayMs: number): void {
    const payment = this.deps.payment(dispute.paymentId)!;
    const event: WebhookEvent = {
      id: newId('evt'),
      type,
      createdAt: this.deps.now().toISOString(),
      data: {
        paymentId: dispute.paymentId,
        orderId: dispute.orderId,
        amountCents: payment.amountCents,
        currency: dispute.currency,
        dispute: { id: dispute.id, status: dispute.status, amountCents: dispute.amountCents, reason: dispute.reason },
      },
    };
    this.deps.webhooks.enqueue(event, delayMs);
  }
}
