import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CancellationScope, log, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { refundLatePaymentWorkflow } from '../refund';
import { describeError } from './compensation-stack';
import type { PaymentEvent } from './definitions';
import { refundWorkflowId } from './definitions';
import type { PaymentBinding, PaymentOutcome } from './payment-inbox';
import { classifyPaymentEvent } from './payment-inbox';

/** What the provider has said so far about the saga's own payment. */
export interface ProviderNews {
  /** The first decisive word on the charge (a webhook, or the answer when the saga asked). */
  outcome?: PaymentOutcome;
  /** Its refund was confirmed (`payment.refunded`). */
  refundConfirmed: boolean;
  /** Its refund failed (`payment.refund_failed`): the provider's reason, until the saga has acted on it. */
  refundFailure?: string;
}

/**
 * The provider's events as the saga takes them in: each once (providers deliver at least once), held until the saga
 * knows whether and which payment it made, then classified (payment-inbox.ts) into the news the saga waits on. A
 * success the order does not keep is refunded by a workflow of its own.
 */
export class PaymentEvents {
  private readonly seen = new Set<string>();
  private readonly held: PaymentEvent[] = [];
  private readonly refunds = new Map<string, Promise<void>>();

  constructor(
    private readonly orderId: string,
    private readonly payment: PaymentBinding,
    private readonly news: ProviderNews,
  ) {}

  receive(event: PaymentEvent): void {
    if (this.seen.has(event.eventId)) return;
    this.seen.add(event.eventId);
    if (this.payment.known) this.takeIn(event);
    else this.held.push(event);
  }

  /** The saga now knows whether, and which, payment it created: the events held until then are taken in. */
  paymentKnown(): void {
    this.payment.known = true;
    for (const event of this.held.splice(0)) this.takeIn(event);
  }

  /** Settles once every refund asked for so far has been started: the saga must not close before. */
  refundsStarted(): Promise<unknown> {
    return Promise.all(this.refunds.values());
  }

  private takeIn(event: PaymentEvent): void {
    const verdict = classifyPaymentEvent(event, this.payment, this.news.outcome);
    if (verdict.action === 'outcome') this.news.outcome = verdict.outcome;
    else if (verdict.action === 'refund_confirmed') this.news.refundConfirmed = true;
    else if (verdict.action === 'refund_failed') this.news.refundFailure = verdict.reason;
    else if (verdict.action === 'refund') this.refund(verdict.paymentId);
  }

  /** `refund-{paymentId}`: one refund per payment however often its success is delivered, outliving this saga. */
  private refund(paymentId: string): void {
    if (this.refunds.has(paymentId)) return;
    const { orderId } = this;
    log.warn('a payment this order does not keep succeeded: refunding it', { orderId, paymentId });
    const start = () =>
      startChild<typeof refundLatePaymentWorkflow>('refundLatePaymentWorkflow', {
        workflowId: refundWorkflowId(paymentId),
        args: [{ orderId, paymentId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Refund payment ${paymentId}, which order ${orderId.slice(0, 8)} does not keep`,
      });
    // Started whatever happens to the saga (even once it is being cancelled): the money must go back.
    const started = CancellationScope.nonCancellable(start).then(
      () => undefined,
      (err) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) log.error('refund workflow not started', { paymentId, error: describeError(err) });
      },
    );
    this.refunds.set(paymentId, started);
  }
}
