import { log, patched } from '@temporalio/workflow';
import type { OrderRecord } from './order-record';
import { compensationFailed, REFUND_REFUSAL_ENDINGS } from './state-machine';

/** Marks sagas that put their order in NEEDS_ATTENTION when a late-payment refund they started is refused. */
const FLAG_REFUSED_REFUND = 'order-saga-flags-refused-refund';

/**
 * The late-payment refunds this saga started (`refund-{paymentId}`, workflows/refund.ts) that were refused because
 * the payment is not the order's: no compensation of this order can settle such a payment, so an operator must look.
 *
 * The order's own life is not cut short. Another order's payment changes nothing about this order's own charge and
 * stock, which its steps keep right; stopping it would refund and restock a customer who paid rightly, because of a
 * payment that is not theirs. So the order ends as it would have (COMPLETED, CANCELLED or REFUNDED, with its
 * notification, stock and refund), then goes to NEEDS_ATTENTION (`compensation_failed:refund_payment`, its failure
 * reason kept): the rows the refund writes itself when the saga has already closed (flagRefundRefused), so the
 * history still says how the order ended, and both cases read the same to an operator.
 */
export class RefusedRefunds {
  private reported = false;
  private flagged = false;

  constructor(
    private readonly orderId: string,
    private readonly order: OrderRecord,
  ) {}

  /**
   * The refund's report (refundRefusedSignal). The patch is asked here, when a refusal arrives, so that sagas whose
   * histories hold no such report replay command for command.
   */
  report(paymentId: string): void {
    log.error('a late-payment refund was refused: the payment is not the order’s', {
      orderId: this.orderId,
      paymentId,
    });
    if (this.reported || !patched(FLAG_REFUSED_REFUND)) return;
    this.reported = true;
  }

  /** A refusal was reported that the order does not show yet. */
  get pending(): boolean {
    return this.reported && !this.flagged;
  }

  /**
   * Puts the ended order in NEEDS_ATTENTION for a reported refusal, once. Before its ending (or while it already waits
   * for an operator) nothing is written: the ending comes first. A rejected order never moves again: only the log says it.
   */
  async flag(): Promise<void> {
    if (!this.pending || !REFUND_REFUSAL_ENDINGS.includes(this.order.status)) return;
    this.flagged = true;
    await this.order.write('NEEDS_ATTENTION', { reason: compensationFailed(['refund_payment']) });
  }
}
