import { condition, log, patched } from '@temporalio/workflow';
import * as act from './activities-proxy';
import type { CompensationStack } from './compensation-stack';
import type { Compensator } from './compensator';
import type { OrderWorkflowInput } from './definitions';
import type { OrderRecord } from './order-record';
import type { ProviderNews } from './payment-events';
import type { PaymentBinding } from './payment-inbox';
import type { RefusedRefunds } from './refused-refunds';
import type { Requests } from './saga-handlers';

/** Marks sagas whose wait for a refund's confirmation outlasts the Temporal cancel that caused it (outlastsCancel). */
const REFUND_WAIT_AFTER_CANCEL = 'order-saga-refund-wait-after-cancel';
/** Marks sagas that wait for a refund's word for REFUND_CONFIRMATION_TIMEOUT (confirmationTimeoutMs). */
const REFUND_CONFIRMATION_TIMEOUT = 'order-saga-refund-confirmation-timeout';

/** What the provider said about a refund while the saga waited; nothing: the wait timed out, or a Temporal cancel ended it. */
type RefundWord = 'confirmed' | 'failed' | 'nothing';

/** The parts of the saga the refund's confirmation reads and moves. */
export interface RefundingSaga {
  input: Pick<OrderWorkflowInput, 'orderId' | 'paymentTimeoutMs' | 'refundConfirmationTimeoutMs'>;
  order: OrderRecord;
  payment: PaymentBinding;
  news: ProviderNews;
  requests: Requests;
  compensations: CompensationStack;
  compensator: Compensator;
  refusedRefunds: RefusedRefunds;
}

/**
 * The last step of a saga that ended having given money back. The refund is claimed once the provider answered
 * `refunded`; its `payment.refunded` webhook confirms it in the history. When the provider reports instead that the
 * refund failed, the claim is withdrawn until an operator's retry has asked for a new one, whose word the saga then
 * waits for in the same way.
 */
export class RefundConfirmation {
  /** Refunds asked for so far; one asked for anew after a failed one is the next attempt at the provider. */
  private attempts = 1;

  constructor(private readonly saga: RefundingSaga) {}

  async wait(): Promise<void> {
    const outlastsCancel = this.outlastsCancel();
    while (this.saga.order.paymentStatus === 'refunded') {
      const word = await this.awaitWord(outlastsCancel);
      if (word === 'confirmed') return await this.noteConfirmed();
      if (word === 'nothing') return;
      if (!(await this.refundAnew())) return;
    }
  }

  /**
   * Whether the wait outlasts the Temporal cancel that caused the refund: it does since REFUND_WAIT_AFTER_CANCEL,
   * while sagas that began before stop waiting at once. The patch is asked only after such a cancel, as it was when
   * those sagas ran, so that their histories replay command for command.
   */
  private outlastsCancel(): boolean {
    if (!this.saga.requests.operatorCancel) return false;
    return patched(REFUND_WAIT_AFTER_CANCEL);
  }

  /**
   * How long the saga waits for the provider's word on a refund: REFUND_CONFIRMATION_TIMEOUT since
   * REFUND_CONFIRMATION_TIMEOUT's patch (a refund's webhook can take far longer than a payment's), PAYMENT_TIMEOUT
   * before. A saga whose input has no such setting (started before it existed) never asks for the patch, so its
   * history replays command for command.
   */
  private confirmationTimeoutMs(): number {
    const { paymentTimeoutMs, refundConfirmationTimeoutMs } = this.saga.input;
    if (refundConfirmationTimeoutMs === undefined) return paymentTimeoutMs;
    return patched(REFUND_CONFIRMATION_TIMEOUT) ? refundConfirmationTimeoutMs : paymentTimeoutMs;
  }

  /**
   * The provider's word on the refund, within confirmationTimeoutMs; a Temporal cancel ends the wait, unless outlasted.
   * A late-payment refund refused meanwhile puts the ended order in NEEDS_ATTENTION at once (rather than when the
   * saga closes, up to REFUND_CONFIRMATION_TIMEOUT later), and the wait goes on to the same deadline.
   */
  private async awaitWord(outlastsCancel: boolean): Promise<RefundWord> {
    const { news, requests, refusedRefunds } = this.saga;
    const cancelled = () => requests.operatorCancel && !outlastsCancel;
    const word = () => news.refundConfirmed || news.refundFailure !== undefined || cancelled();
    const summary = 'Wait for the refund confirmation';
    const deadline = Date.now() + this.confirmationTimeoutMs();
    let settled = await condition(() => word() || refusedRefunds.pending, deadline - Date.now(), { summary });
    if (settled && !word()) {
      await refusedRefunds.flag();
      const left = deadline - Date.now();
      settled = left > 0 && (await condition(word, left, { summary }));
    }
    if (settled && news.refundConfirmed) return 'confirmed';
    return news.refundFailure === undefined ? 'nothing' : 'failed';
  }

  /** A history note, in the status the order ended in. */
  private noteConfirmed(): Promise<void> {
    const { order } = this.saga;
    return order.write(order.status, { reason: 'refund_confirmed', paymentStatus: 'refunded' });
  }

  /**
   * The provider reports that the refund failed: the money is still charged. The order needs an operator
   * (`refund_failed`), whose retry asks the provider for a new refund (the next attempt, under a key of its own);
   * once it is refunded, the order is back in the status it ended in. False when the saga gave up waiting.
   */
  private async refundAnew(): Promise<boolean> {
    const { input, order, payment, news, compensations, compensator } = this.saga;
    const { orderId } = input;
    const { paymentId } = payment;
    log.error('the provider reports that the refund failed', { orderId, paymentId, reason: news.refundFailure });
    const ended = { status: order.status, failureReason: order.failureReason ?? null };
    news.refundFailure = undefined;
    order.paymentStatus = 'succeeded';
    const attempt = ++this.attempts;
    compensations.push({
      name: 'refund_payment',
      run: async () => {
        order.paymentStatus = (await act.voidOrRefundOrderPayments(orderId, paymentId, attempt)).status;
      },
    });
    compensations.holdForOperator();
    const attention = { reason: 'refund_failed', failureReason: 'refund_failed', paymentStatus: order.paymentStatus };
    if (!(await compensator.untilOperatorCompensates(attention, 'refund_failed'))) return false;
    await order.write(ended.status, { failureReason: ended.failureReason, paymentStatus: order.paymentStatus });
    return true;
  }
}
