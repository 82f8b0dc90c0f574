import { z } from 'zod';
import type { HttpClientOptions } from './http-json';
import { JsonHttpClient, pathSegment } from './http-json';
import type { CreatePaymentInput, Payment, PaymentProvider } from './payment-provider';
import { PAYMENT_STATUSES, PaymentProviderError } from './payment-provider';
import { currencySchema, nonNegativeAmountCentsSchema } from './primitives';
import { isSimulatorToken } from './simulator-tokens';

/** A payment as the simulator's HTTP API answers it; validated so a misbehaving provider fails loudly here. */
export const paymentSchema = z.object({
  id: z.string().min(1),
  status: z.enum(PAYMENT_STATUSES),
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  amountCents: nonNegativeAmountCentsSchema,
  currency: currencySchema,
  failureReason: z.string().optional(),
});


/** The adapter for the bundled payment simulator (src/simulator), over its HTTP API. */
export class SimulatorPaymentProvider implements PaymentProvider {
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

  listPayments(orderId: string): Promise<Payment[]> {
    return this.http.listByOrder('/v1/payments', orderId, paymentSchema);
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
