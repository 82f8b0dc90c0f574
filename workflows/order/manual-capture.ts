import { ActivityFailure, ApplicationFailure, isCancellation, patched } from '@temporalio/workflow';
import * as act from './activities-proxy';
import type { OrderWorkflowInput } from './definitions';
import type { OrderRecord } from './order-record';
import type { PaymentBinding } from './payment-inbox';
import type { CaptureReason } from './state-machine';
import { AUTHORIZATION_EXPIRED } from './state-machine';
import { stepFailure } from './step-failures';

/**
 * Marks sagas that take their payment in two steps (PAYMENT_CAPTURE=manual): the provider authorizes at placement,
 * the order is PAID with payment `authorized`, and the saga captures later. Asked only when the saga's input says
 * `manual`, so the histories of automatic-capture orders keep their shape (no marker).
 */
export const MANUAL_CAPTURE = 'order-saga-manual-capture';

/** The payment status of a PAID order whose money is held, not yet captured. */
export const PAYMENT_AUTHORIZED = 'authorized';

/** Whether this saga asks the provider to authorize only, and captures itself. */
export function takesManualCapture(input: OrderWorkflowInput): boolean {
  return input.paymentCapture === 'manual' && patched(MANUAL_CAPTURE);
}

/**
 * The saga's hold on the customer's money under manual capture: whether it is captured, whether an operator asked
 * for the capture, and the capture itself (one activity keyed `capture:{orderId}` at the provider, which also
 * records the captured amount with the PAID history note saying why).
 */
export class PaymentHold {
  /** The payment was asked for as an authorization (manual capture). */
  manual = false;
  captured = false;
  /** The provider refused the capture: the hold had lapsed. */
  expired = false;
  /** An operator asked for the capture (captureOrder update), not yet acted on. */
  captureRequested = false;

  constructor(
    private readonly orderId: string,
    private readonly order: OrderRecord,
    private readonly payment: PaymentBinding,
  ) {}

  /** Money is held for the order but not taken: undoing the order voids the hold (nothing to refund). */
  get uncaptured(): boolean {
    return this.manual && !this.captured;
  }

  /**
   * Captures the order's total (or `amountCents`: what is left after units were cancelled) now, for `reason`; the order stays PAID with payment `succeeded`. False when the
   * provider refused because the hold had lapsed (`authorization_expired`): the saga then cancels the order.
   */
  async capture(reason: CaptureReason, amountCents = this.payment.totalCents): Promise<boolean> {
    const { orderId, payment } = this;
    const change = this.order.next('PAID', { reason, paymentStatus: 'succeeded' });
    try {
      const { capturedCents } = await act.captureOrderPayment({ orderId, paymentId: payment.paymentId!, amountCents }, change);
      this.order.written({ ...change, capturedCents });
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (authorizationExpired(err)) {
        this.expired = true;
        return false;
      }
      throw stepFailure('captureOrderPayment', err);
    }
    this.captured = true;
    return true;
  }
}

function authorizationExpired(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === AUTHORIZATION_EXPIRED;
}
