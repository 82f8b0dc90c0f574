import type { Config } from '../config';
import type { PaymentLedgerStatus } from '../../workflows/order/state-machine';
import type { Order, OrderDispute, OrderHistoryEntry, OrderRefund } from './entities';

/** The order as the API shows it. One function, used by every route that answers with an order. */
/** The configuration an order's JSON needs: where its saga is shown in the Temporal Web UI. */
export type OrderViewConfig = Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>;

export function toOrderJson(order: Order, history: OrderHistoryEntry[], config: OrderViewConfig) {
  const priced = order.lines ?? null;
  const items = priced
    ? priced.map((line) => ({
        productId: line.productId,
        sku: line.sku,
        name: line.name,
        quantity: line.quantity,
        unitPriceCents: line.unitPriceCents,
        lineTotalCents: line.unitPriceCents * line.quantity,
      }))
    : // Not reserved (yet, or rejected): what was asked for, unpriced.
      order.requestedItems.map((item) => ({ productId: item.productId, sku: null, name: null, quantity: item.quantity, unitPriceCents: null, lineTotalCents: null }));
  return {
    id: order.id,
    status: order.status,
    customerId: order.customerId,
    customerEmail: order.customerEmail,
    items,
    totalCents: order.totalCents ?? null,
    currency: order.currency ?? null,
    payment: {
      status: order.paymentStatus as PaymentLedgerStatus,
      ...(order.providerPaymentId ? { providerPaymentId: order.providerPaymentId } : {}),
      authorizedCents: order.authorizedCents ?? 0,
      capturedCents: order.capturedCents ?? 0,
      refundedCents: order.refundedCents ?? 0,
      refunds: (order.refunds ?? []).map(toRefundJson),
    },
    ...(order.dispute ? { dispute: toDisputeJson(order.dispute) } : {}),
    ...(order.failureReason ? { failureReason: order.failureReason } : {}),
    // One order's answer (GET /orders/{id}) shows its fulfilment, empty when nothing ships; lists leave it out.
    ...(order.fulfilment
      ? { shipments: order.fulfilment.shipments, returns: order.fulfilment.returns, cancelledItems: order.fulfilment.cancelledItems }
      : {}),
    history: history.map((h) => ({ status: h.status, at: h.at.toISOString(), ...(h.reason ? { reason: h.reason } : {}) })),
    workflowId: order.workflowId,
    temporalUiUrl: temporalUiUrl(config, order.workflowId),
    traceId: order.traceId ?? null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type OrderJson = ReturnType<typeof toOrderJson>;

export function temporalUiUrl(config: OrderViewConfig, workflowId: string): string {
  const base = config.TEMPORAL_UI_URL.replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A refund as the API shows it: its idempotency key and request fingerprint stay inside. */
export function toRefundJson(refund: OrderRefund) {
  return {
    id: refund.id,
    amountCents: refund.amountCents,
    reason: refund.reason,
    status: refund.status,
    ...(refund.items ? { items: refund.items } : {}),
    restock: refund.restock,
    ...(refund.failure ? { failure: refund.failure } : {}),
    createdAt: refund.createdAt,
  };
}

export type RefundJson = ReturnType<typeof toRefundJson>;

/** The dispute of the order's charge as the API shows it. */
export function toDisputeJson(dispute: OrderDispute) {
  return { id: dispute.id, status: dispute.status, amountCents: dispute.amountCents, reason: dispute.reason };
}
