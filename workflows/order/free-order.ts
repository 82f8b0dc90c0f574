import { patched } from '@temporalio/workflow';

/**
 * Marks sagas that take a free order (a total of 0) without a payment: RESERVED → PAID with payment status
 * `not_required`, then the cancellation window and COMPLETED like a paid order; a cancel restocks and ends CANCELLED
 * (nothing to refund). Sagas that began before it asked the provider for a charge of 0, which refused it
 * (`payment_refused`); `free-order-before-free-orders-patch.json` is one of them, and replays on the old path.
 */
export const FREE_ORDERS = 'order-saga-free-orders';

/** The payment status of an order that has nothing to pay. */
export const PAYMENT_NOT_REQUIRED = 'not_required';

/**
 * Whether this saga takes its order as a free one. The patch is asked only for a total of 0, so that the histories
 * of every other order keep their shape (no marker), and those of free orders from before the patch replay.
 */
export function takesFreeOrder(totalCents: number): boolean {
  return totalCents === 0 && patched(FREE_ORDERS);
}
