import { simulatorPaymentSchema } from '../wire/simulator-payment';
import { isSimulatorToken } from '../wire/simulator-tokens';
import type { HttpClientOptions } from './http-json';
import { JsonHttpClient, pathSegment } from './http-json';
import type { CreatePaymentInput, Payment, PaymentProvider } from './payment-provider';
import { PaymentProviderError } from './payment-provider';

/** The adapter for the bundled payment simulator (src/simulator), over its HTTP API. */
export class SimulatorPaymentProvider implements PaymentProvider {
  private readonly http: JsonHttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttpClient('payment provider', options, (init) => new PaymentProviderError(init));
  }

  /** The simulator takes exactly its test tokens (src/wire/simulator-tokens.ts). */
  acceptsPaymentMethod(token: string): boolean {
    return isSimulatorToken(token);
  }

  createPayment({ idempotencyKey, ...body }: CreatePaymentInput): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: '/v1/payments',
      headers: { 'idempotency-key': idempotencyKey },
      body,
      response: simulatorPaymentSchema,
    });
  }

  async getPayment(id: string): Promise<Payment | undefined> {
    try {
      return await this.http.request({
        method: 'GET',
        path: `/v1/payments/${pathSegment(id)}`,
        response: simulatorPaymentSchema,
      });
    } catch (err) {
      if (err instanceof PaymentProviderError && err.status === 404) return undefined;
      throw err;
    }
  }

  listPayments(orderId: string): Promise<Payment[]> {
    return this.http.listByOrder('/v1/payments', orderId, simulatorPaymentSchema);
  }

  voidPayment(id: string): Promise<Payment> {
    return this.http.request({ method: 'POST', path: `/v1/payments/${pathSegment(id)}/void`, response: simulatorPaymentSchema });
  }

  refundPayment(id: string, idempotencyKey: string): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: `/v1/payments/${pathSegment(id)}/refunds`,
      headers: { 'idempotency-key': idempotencyKey },
      response: simulatorPaymentSchema,
    });
  }
}
