import { condition } from '@temporalio/workflow';
import type { CompensationStack } from './compensation-stack';
import type { ChangeDetails, OrderRecord } from './order-record';
import type { Requests } from './saga-handlers';
import { compensationFailed } from './state-machine';

/** What ended a wait for an operator. */
type OperatorAction = 'retry' | 'cancel';

/**
 * Undoing an order: the saga's compensations run newest first, and one that still fails after its retries is never
 * dropped: the order waits in NEEDS_ATTENTION until an operator's retry runs it again.
 */
export class Compensator {
  constructor(
    private readonly compensations: CompensationStack,
    private readonly order: OrderRecord,
    private readonly requests: Requests,
  ) {}

  /** Runs every compensation left, for `reason` (why the order is undone). True once every one is done. */
  async compensate(reason: string): Promise<boolean> {
    if (await this.compensations.run()) return true;
    return this.untilOperatorCompensates({ reason: compensationFailed(this.compensations.failed), failureReason: reason }, reason);
  }

  /**
   * The order waits in NEEDS_ATTENTION (`attention` first, then `compensation_failed:<steps>` for `reason`) until an
   * operator's retry runs what failed, as often as it takes. A Temporal cancel while it waits runs them once more;
   * if they still fail, the saga gives up and leaves the order in NEEDS_ATTENTION (false).
   */
  async untilOperatorCompensates(attention: ChangeDetails, reason: string): Promise<boolean> {
    let details = attention;
    for (;;) {
      await this.order.write('NEEDS_ATTENTION', details);
      const action = await this.awaitOperator();
      if (await this.compensations.run()) return true;
      if (action === 'cancel') return false;
      details = { reason: compensationFailed(this.compensations.failed), failureReason: reason };
    }
  }

  /** An operator's retry, or a Temporal cancel that comes while the saga waits (one that came earlier does not count). */
  private async awaitOperator(): Promise<OperatorAction> {
    const { requests } = this;
    const cancelledBefore = requests.operatorCancel;
    await condition(() => requests.compensationRetry || (requests.operatorCancel && !cancelledBefore));
    if (!requests.compensationRetry) return 'cancel';
    requests.compensationRetry = false;
    return 'retry';
  }
}
