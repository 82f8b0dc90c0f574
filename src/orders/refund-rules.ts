import { DomainError } from '../errors';
import type { OrderItemRequest } from '../../workflows/order/definitions';
import type { Order, OrderRefund } from './entities';

/** What an operator asks to give back: an amount, or lines (their prices), optionally put back in stock. */
export interface RefundRequest {
  amountCents?: number;
  items?: OrderItemRequest[];
  reason: string;
  restock?: boolean;
}

/** The order as the rules read it. */
export type RefundableOrder = Pick<Order, 'id' | 'status' | 'lines' | 'capturedCents' | 'refundedCents' | 'refunds'>;

/** Refunds that count against what is left: given back, or on their way. A failed one gave nothing back. */
const counted = (refunds: readonly OrderRefund[]) => refunds.filter((r) => r.status !== 'failed');

/** What can still be refunded: captured, less what was given back and what refunds under way will give back. */
export function refundableCents(order: RefundableOrder): number {
  const underWay = order.refunds.filter((r) => r.status === 'pending').reduce((sum, r) => sum + r.amountCents, 0);
  return order.capturedCents - order.refundedCents - underWay;
}

/**
 * The amount a refund request gives back, or why it cannot be made:
 *  - 409 `not_refundable`: nothing was captured, or the order is not settled with its money (still in its cancel
 *    window — cancel it instead — or waiting for an operator);
 *  - 409 `order_disputed`: the charge is disputed (a refund of a disputed charge fails at the provider);
 *  - 422 `refund_exceeds_captured`: more than is left to refund, or more units of a line than were sold and not yet
 *    refunded.
 * The saga ends every order it keeps money for as COMPLETED; refunds are an operator's act after that.
 */
export function refundAmountCents(order: RefundableOrder, request: RefundRequest): number {
  if (order.status === 'DISPUTED') throw orderDisputed(order.id, 'refunded');
  if (order.capturedCents === 0)
    throw new DomainError('not_refundable', `order ${order.id} has nothing captured to refund`, {
      status: order.status,
    });
  if (order.status !== 'COMPLETED' && order.status !== 'REFUNDED') {
    const why = order.status === 'PAID' ? 'is within its cancel window: cancel it instead' : `is ${order.status}`;
    throw new DomainError('not_refundable', `order ${order.id} ${why}`, { status: order.status });
  }
  const amount = request.items ? linesCents(order, request.items) : request.amountCents!;
  const left = refundableCents(order);
  if (amount > left) {
    throw new DomainError('refund_exceeds_captured', `order ${order.id} has ${left} left to refund, not ${amount}`, {
      refundableCents: left,
      requestedCents: amount,
    });
  }
  return amount;
}

/** 409 `order_disputed`: nothing moves the money of a disputed charge until the dispute is closed. */
export function orderDisputed(orderId: string, what: 'cancelled' | 'refunded'): DomainError {
  return new DomainError('order_disputed', `order ${orderId} is disputed: it cannot be ${what} until the dispute is closed`, {
    status: 'DISPUTED',
  });
}

/** The price of the lines asked for; each no more units than were sold and not refunded by line before. */
function linesCents(order: RefundableOrder, items: readonly OrderItemRequest[]): number {
  const lines = order.lines ?? [];
  let total = 0;
  for (const item of items) {
    const productId = item.productId.toLowerCase();
    const line = lines.find((l) => l.productId === productId);
    const refunded = counted(order.refunds)
      .flatMap((r) => r.items ?? [])
      .filter((i) => i.productId === productId)
      .reduce((sum, i) => sum + i.quantity, 0);
    const left = (line?.quantity ?? 0) - refunded;
    if (item.quantity > left) {
      throw new DomainError(
        'refund_exceeds_captured',
        `order ${order.id} has ${left} unit(s) of ${productId} left to refund, not ${item.quantity}`,
        {
          productId,
          refundableQuantity: left,
          requestedQuantity: item.quantity,
        },
      );
    }
    total += line!.unitPriceCents * item.quantity;
  }
  return total;
}
