import { EntitySchema } from '@mikro-orm/core';
import type { OrderItemRequest, OrderStatus, Rejection } from '../../workflows/order/definitions';
import type { DisputeStatus, RefundStatus } from '../../workflows/order/state-machine';
import type { OrderFulfilment } from '../shipping/fulfilment-rows';

// The tables are created by migrations/Migration20261123000200_orders.ts; these schemas only map them.

/** A line as priced at placement (copied from the catalog when the stock was reserved). */
export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  /** Whether its units are shipped (absent on orders placed before goods could ship: they do not). */
  requiresShipping?: boolean;
}

/**
 * A refund an operator asked for (POST /admin/orders/{id}/refunds), as kept in the order's `refunds` column
 * (Migration20261205001000_payment_ledger). `key` and `fingerprint` make a retried request answer the same refund;
 * they are never shown.
 */
export interface OrderRefund {
  id: string;
  key: string;
  fingerprint: string;
  amountCents: number;
  reason: string;
  status: RefundStatus;
  items?: OrderItemRequest[];
  restock: boolean;
  /** The provider's id for the refund, once it answered. */
  providerRefundId?: string;
  /** Why the provider refused it. */
  failure?: string;
  /** When its lines were put back in stock (with `restock`). */
  restockedAt?: string;
  createdAt: string;
}

/** A dispute of the order's charge (`orders.dispute`, Migration20261206002000_disputes): the provider's id and word. */
export interface OrderDispute {
  id: string;
  status: DisputeStatus;
  amountCents: number;
  reason: string;
}

export interface Order {
  id: string;
  workflowId: string;
  customerId: string;
  customerEmail: string;
  status: OrderStatus;
  requestedItems: OrderItemRequest[];
  lines?: OrderLine[] | null;
  totalCents?: number | null;
  currency?: string | null;
  paymentStatus: string;
  providerPaymentId?: string | null;
  failureReason?: string | null;
  rejection?: Rejection | null;
  idempotencyKey?: string | null;
  requestFingerprint: string;
  statusSeq: number;
  /** The trace of the request that placed the order (Migration20261129000400_order_trace_id). */
  traceId?: string | null;
  /** The payment ledger, integer minor units (Migration20261205001000_payment_ledger). */
  authorizedCents: number;
  capturedCents: number;
  refundedCents: number;
  refunds: OrderRefund[];
  /** The last dispute of the order's charge, if any (Migration20261206002000_disputes). */
  dispute?: OrderDispute | null;
  /**
   * Not a column: the order's shipments, returns and cancelled units (Migration20261207001000_fulfilment), loaded by
   * findOrder and carried by outbox snapshots; absent in lists (GET /orders), which do not show them.
   */
  fulfilment?: OrderFulfilment;
  createdAt: Date;
  updatedAt: Date;
}

export const OrderSchema = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: { type: 'uuid', primary: true },
    workflowId: { type: 'text' },
    customerId: { type: 'text' },
    customerEmail: { type: 'text' },
    status: { type: 'text' },
    requestedItems: { type: 'json' },
    lines: { type: 'json', nullable: true },
    totalCents: { type: 'integer', nullable: true },
    currency: { type: 'string', columnType: 'char(3)', nullable: true },
    paymentStatus: { type: 'text' },
    providerPaymentId: { type: 'text', nullable: true },
    failureReason: { type: 'text', nullable: true },
    rejection: { type: 'json', nullable: true },
    idempotencyKey: { type: 'text', nullable: true },
    requestFingerprint: { type: 'text' },
    statusSeq: { type: 'integer' },
    traceId: { type: 'text', nullable: true },
    authorizedCents: { type: 'integer' },
    capturedCents: { type: 'integer' },
    refundedCents: { type: 'integer' },
    refunds: { type: 'json' },
    dispute: { type: 'json', nullable: true },
    // Loaded by findOrder, never stored.
    fulfilment: { type: 'json', nullable: true, persist: false },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    updatedAt: { type: 'datetime', columnType: 'timestamptz(3)' },
  },
});

export interface OrderHistoryEntry {
  orderId: string;
  seq: number;
  status: OrderStatus;
  reason?: string | null;
  at: Date;
}

export const OrderHistorySchema = new EntitySchema<OrderHistoryEntry>({
  name: 'OrderHistoryEntry',
  tableName: 'order_history',
  properties: {
    orderId: { type: 'uuid', primary: true },
    seq: { type: 'integer', primary: true },
    status: { type: 'text' },
    reason: { type: 'text', nullable: true },
    at: { type: 'datetime', columnType: 'timestamptz(3)' },
  },
});

export interface NotificationRow {
  id: string;
  orderId: string;
  kind: string;
  idempotencyKey: string;
  recipient: string;
  status: 'SENT' | 'FAILED';
  attempts: number;
  lastError?: string | null;
  providerNotificationId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const NotificationSchema = new EntitySchema<NotificationRow>({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: { type: 'uuid', primary: true },
    orderId: { type: 'uuid' },
    kind: { type: 'text' },
    idempotencyKey: { type: 'text' },
    recipient: { type: 'text' },
    status: { type: 'text' },
    attempts: { type: 'integer' },
    lastError: { type: 'text', nullable: true },
    providerNotificationId: { type: 'text', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});

export const orderEntities = [OrderSchema, OrderHistorySchema, NotificationSchema];
