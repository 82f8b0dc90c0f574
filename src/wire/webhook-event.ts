import { z } from 'zod';
import { currencySchema, nonNegativeAmountCentsSchema } from './money';

/**
 * The body of a payment webhook, shared by the sender (the simulator) and the receiver (the API).
 * Unknown extra fields are stripped rather than rejected: providers add fields over time.
 */
export const WEBHOOK_EVENT_TYPES = [
  'payment.succeeded',
  'payment.authorized',
  'payment.failed',
  'payment.refunded',
  'payment.partially_refunded',
  'payment.refund_failed',
  'dispute.created',
  'dispute.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The events about a dispute of a payment (they carry `data.dispute`); every other type is about the payment. */
export const DISPUTE_EVENT_TYPES = ['dispute.created', 'dispute.closed'] as const;
export type DisputeEventType = (typeof DISPUTE_EVENT_TYPES)[number];
export const isDisputeEventType = (type: string): type is DisputeEventType =>
  (DISPUTE_EVENT_TYPES as readonly string[]).includes(type);

/** A dispute as the provider reports it: `open` once created, `won` or `lost` once closed. */
export const webhookDisputeSchema = z.object({
  id: z.string().min(1).max(255),
  status: z.enum(['open', 'won', 'lost']),
  /** The disputed amount, in the payment's currency. */
  amountCents: nonNegativeAmountCentsSchema,
  /** The bank's reason (`fraudulent`, `product_not_received`, …). */
  reason: z.string().min(1).max(100),
});

export const webhookEventSchema = z.object({
  /** Unique per event; a redelivery of the same event carries the same id, so receivers deduplicate on it. */
  id: z.string().min(1).max(255),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  createdAt: z.iso.datetime({ offset: true }),
  data: z.object({
    paymentId: z.string().min(1).max(255),
    orderId: z.string().min(1).max(255),
    amountCents: nonNegativeAmountCentsSchema,
    currency: currencySchema,
    /** Why a payment (or its refund) failed: `card_declined`, `insufficient_funds`, `voided`; Stripe's refund failure reasons. */
    reason: z.string().min(1).max(100).optional(),
    /** Refund events: which refund (a payment may have several), how much it gave back, and the payment's total refunded since. */
    refundId: z.string().min(1).max(255).optional(),
    refundAmountCents: nonNegativeAmountCentsSchema.optional(),
    refundedCents: nonNegativeAmountCentsSchema.optional(),
    /** Dispute events: the dispute of this payment. */
    dispute: webhookDisputeSchema.optional(),
  }),
});

export type WebhookEvent = z.infer<typeof webhookEventSchema>;
