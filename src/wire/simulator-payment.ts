import { z } from 'zod';
import { currencySchema, nonNegativeAmountCentsSchema } from './money';

/**
 * The statuses a payment has at the payment simulator: pending → succeeded | failed | voided; succeeded → refunded
 * (once its refunds gave back the whole amount; until then it stays succeeded with `refundedCents`). A manual-capture
 * payment goes pending → authorized, then authorized → succeeded (captured) | voided (released, or its hold lapsed).
 */
export const SIMULATOR_PAYMENT_STATUSES = ['pending', 'authorized', 'succeeded', 'failed', 'voided', 'refunded'] as const;

/** Reasons a payment ends `failed` at the simulator, as it reports them (in `failureReason` and webhook `reason`). */
export const SIMULATOR_FAILURE_REASONS = ['card_declined', 'insufficient_funds', 'voided', 'authorization_expired'] as const;

/**
 * A payment as the simulator's HTTP API answers it: what the simulator sends and what its client (the product's
 * payment adapter) validates, so a misbehaving provider fails loudly at the client.
 */
export const simulatorPaymentSchema = z.object({
  id: z.string().min(1),
  status: z.enum(SIMULATOR_PAYMENT_STATUSES),
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  amountCents: nonNegativeAmountCentsSchema,
  currency: currencySchema,
  failureReason: z.string().optional(),
  /** What its refunds gave back so far (a payment may be refunded in several parts); absent from older simulators. */
  refundedCents: nonNegativeAmountCentsSchema.optional(),
  /** Manual capture: what the capture took (the rest of the hold was released); absent until then, and under automatic capture. */
  capturedCents: nonNegativeAmountCentsSchema.optional(),
});

export type SimulatorPayment = z.infer<typeof simulatorPaymentSchema>;

/** The answer to a refund request: the payment, with `refund` the refund this request made (none when nothing was left). */
export const simulatorRefundAnswerSchema = simulatorPaymentSchema.extend({
  refund: z.object({ id: z.string().min(1), amountCents: nonNegativeAmountCentsSchema }).optional(),
});
