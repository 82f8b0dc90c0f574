import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OrderStatusKey, OrderTotalCentsKey } from '../search-attributes';
import * as act from './activities-proxy';
import type { StatusChange } from './activity-types';
import type { OrderWorkflowInput } from './definitions';
import type { PaymentBinding } from './payment-inbox';
import type { OrderStatus } from './state-machine';
import { canMove } from './state-machine';

/** A status change as a step asks for it; the record numbers it. */
export type ChangeDetails = Omit<StatusChange, 'status' | 'seq' | 'task'>;

/**
 * The order as the saga has written it to the database: its status, failure reason and payment status. Each change
 * is numbered (its `seq` in the order's history) before the step that writes it runs; once written, the search
 * attributes and the Web UI's details follow it.
 */
export class OrderRecord {
  status: OrderStatus = 'PENDING';
  failureReason?: string;
  paymentStatus = 'not_requested';
  /** The paid order's refund has begun: the customer can no longer cancel it. */
  refunding = false;
  /** Position of the last history row numbered. */
  private seq = 0;

  constructor(
    private readonly input: OrderWorkflowInput,
    private readonly payment: PaymentBinding,
  ) {}

  /**
   * Numbers the next status change, for the step that writes it. The number is used up here, before the step
   * runs: a step cut short (cancelled, failed) may still have written its change, and whatever is written next must
   * come after it.
   */
  next(status: OrderStatus, details: ChangeDetails = {}): StatusChange {
    if (!canMove(this.status, status)) log.error('order status change outside the state machine', { orderId: this.input.orderId, from: this.status, to: status });
    this.seq += 1;
    return { ...details, status, seq: this.seq, task: workflowInfo().historyLength };
  }

  /** A status change its step has written: the record, the search attributes and the Web UI details follow it. */
  written(change: StatusChange): void {
    if (change.paymentStatus) this.paymentStatus = change.paymentStatus;
    if (change.failureReason !== undefined) this.failureReason = change.failureReason ?? undefined;
    this.status = change.status;
    const { totalCents } = this.payment;
    // One upsert per change, in the workflow task of the step that made it; the total rides along once priced.
    upsertSearchAttributes([{ key: OrderStatusKey, value: change.status }, ...(totalCents > 0 ? [{ key: OrderTotalCentsKey, value: totalCents }] : [])]);
    setCurrentDetails(this.describe());
  }

  /** Writes a status change with a local activity of its own (the endings, which have no step of their own). */
  async write(status: OrderStatus, details: ChangeDetails = {}): Promise<void> {
    const change = this.next(status, details);
    await act.local.recordOrderStatus(this.input.orderId, change);
    this.written(change);
  }

  /** What the Web UI shows as the saga's current details: where it is, for whom, for how much. */
  private describe(): string {
    const { input, payment } = this;
    const total = payment.totalCents > 0 ? `${payment.totalCents} ${payment.currency} minor units` : 'not priced yet';
    return [
      `**Status:** ${this.status}${this.failureReason ? ` (${this.failureReason})` : ''}`,
      `**Customer:** ${input.customerId}`, // the id only: the email is personal data, kept out of the Web UI
      `**Total:** ${total}`,
      `**Payment:** ${this.paymentStatus}${payment.paymentId ? ` (${payment.paymentId})` : ''}`,
      `**Items:** ${input.items.map((i) => `${i.quantity} × ${i.productId}`).join(', ')}`,
    ].join('\n');
  }
}
