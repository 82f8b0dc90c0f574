import { z } from 'zod';
import type { HttpClientOptions, ProviderErrorInit } from './http-json';
import { JsonHttpClient, ProviderHttpError, pathSegment } from './http-json';
import { currencySchema, nonNegativeAmountCentsSchema } from './primitives';
import { isSimulatorToken } from './simulator-tokens';

/**
 * The saga's view of a payment service provider. The HTTP implementation below talks to the simulator
 * (src/simulator); a real provider can be plugged in behind the same interface.
 */
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'voided', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Reasons a payment ends `failed`, as the provider reports them (in `failureReason` and webhook `reason`). */
export const PAYMENT_FAILURE_REASONS = ['card_declined', 'insufficient_funds', 'voided'] as const;

export const paymentSchema = z.object({
  id: z.string().min(1),
  status: z.enum(PAYMENT_STATUSES),
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  amountCents: nonNegativeAmountCentsSchema,
  currency: currencySchema,
  failureReason: z.string().optional(),
});

export type Payment = z.infer<typeof paymentSchema>;

export interface CreatePaymentInput {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  token: string;
  /** Sending the same key again returns the same payment instead of charging twice. */
  idempotencyKey: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface PaymentProvider {
  /**
   * Whether this provider can charge the payment method `token` at all (its format or test-token list; no network
   * call). The API refuses any other token (422 `unsupported_payment_method`) before anything is reserved.
   */
  acceptsPaymentMethod(token: string): boolean;
  /** Starts a charge; the outcome arrives later by webhook (the returned payment is normally `pending`). */
  createPayment(input: CreatePaymentInput): Promise<Payment>;
  /** Undefined when the provider does not know the id. */
  getPayment(id: string): Promise<Payment | undefined>;
  listPayments(orderId: string): Promise<Payment[]>;
  /** A pending payment can no longer succeed. Idempotent; a succeeded payment is `not_voidable`. */
  voidPayment(id: string): Promise<Payment>;
  /** A succeeded payment is refunded in full. Idempotent per key; anything not succeeded is `not_refundable`. */
  refundPayment(id: string, idempotencyKey: string): Promise<Payment>;
}

export class PaymentProviderError extends ProviderHttpError {
  constructor(init: ProviderErrorInit) {
    super(init);
    this.name = 'PaymentProviderError';
  }
}

const paymentList = z.object({ items: z.array(paymentSchema) });

export class HttpPaymentProvider implements PaymentProvider {
  private readonly http: JsonHttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttpClient('payment provider', options, (init) => new PaymentProviderError(init));
  }

  /** The simulator takes exactly its test tokens (src/payments/simulator-tokens.ts). */
  acceptsPaymentMethod(token: string): boolean {
    return isSimulatorToken(token);
  }

  createPayment({ idempotencyKey, ...body }: CreatePaymentInput): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: '/v1/payments',
      headers: { 'idempotency-key': idempotencyKey },
      body,
      response: paymentSchema,
    });
  }

  async getPayment(id: string): Promise<Payment | undefined> {
    try {
      return await this.http.request({
        method: 'GET',
        path: `/v1/payments/${pathSegment(id)}`,
        response: paymentSchema,
      });
    } catch (err) {
      if (err instanceof PaymentProviderError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listPayments(orderId: string): Promise<Payment[]> {
    const list = await this.http.request({
      method: 'GET',
      path: `/v1/payments?orderId=${encodeURIComponent(orderId)}`,
      response: paymentList,
    });
    return list.items;
  }

  voidPayment(id: string): Promise<Payment> {
    return this.http.request({ method: 'POST', path: `/v1/payments/${pathSegment(id)}/void`, response: paymentSchema });
  }

  refundPayment(id: string, idempotencyKey: string): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: `/v1/payments/${pathSegment(id)}/refunds`,
      headers: { 'idempotency-key': idempotencyKey },
      response: paymentSchema,
    });
  }
}
