import type { OrderItemRequest, OrderStatus, Rejection } from './definitions';

/**
 * The shapes the order saga's activities take and return. The workflow imports these types only;
 * the implementations live in activities/ and run outside the sandbox.
 */
export interface NewOrderRecord {
  orderId: string;
  workflowId: string;
  customerId: string;
  customerEmail: string;
  items: OrderItemRequest[];
  requestFingerprint: string;
  idempotencyKey?: string;
}

export interface StatusChange {
  status: OrderStatus;
  /** Position in the order's history; makes the history insert idempotent when the activity is retried. */
  seq: number;
  reason?: string;
  failureReason?: string | null;
  paymentStatus?: string;
  providerPaymentId?: string;
  rejection?: Rejection;
}

export interface ReservedOrder {
  totalCents: number;
  currency: string;
}

export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  token: string;
}

export interface RequestedPayment {
  paymentId: string;
  status: string;
}

export type NotificationKind = 'order_confirmed' | 'order_cancelled' | 'order_refunded';

export interface NotificationRequest {
  orderId: string;
  kind: NotificationKind;
  to: string;
  data: Record<string, unknown>;
  /** After this many attempts the notification is recorded FAILED instead of failing the saga. */
  maxAttempts: number;
}

export interface OrderActivities {
  createOrderRecord(order: NewOrderRecord): Promise<void>;
  reserveOrderStock(orderId: string, items: OrderItemRequest[]): Promise<ReservedOrder>;
  recordOrderStatus(orderId: string, change: StatusChange): Promise<void>;
  requestPayment(request: PaymentRequest): Promise<RequestedPayment>;
  /** Void a pending payment, or refund it if it already succeeded; a no-op for failed/voided/refunded ones. */
  cancelPayment(orderId: string, paymentId: string): Promise<{ status: string }>;
  refundPayment(orderId: string, paymentId: string): Promise<{ status: string }>;
  commitOrderStock(orderId: string): Promise<void>;
  releaseOrderStock(orderId: string): Promise<void>;
  restockOrder(orderId: string): Promise<void>;
  sendNotification(request: NotificationRequest): Promise<'sent' | 'failed'>;
}
