import { simulatorPaymentSchema, simulatorRefundAnswerSchema } from '../wire/simulator-payment';
import { isSimulatorToken } from '../wire/simulator-tokens';
import type { HttpClientOptions } from './http-json';
import { JsonHttpClient, pathSegment } from './http-json';
import type { CaptureInput, CreatePaymentInput, Payment, PaymentProvider, ProviderRefund, RefundPartInput } from './payment-provider';
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

  /** The simulator captures at once; the payment it answers carries `capturedCents`. */
  capturePayment(id: string, { amountCents, idempotencyKey }: CaptureInput): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: `/v1/payments/${pathSegment(id)}/capture`,
      headers: { 'idempotency-key': idempotencyKey },
      body: { amountCents },
      response: simulatorPaymentSchema,
    });
  }

  refundPayment(id: string, idempotencyKey: string): Promise<Payment> {
    return this.http.request({
      method: 'POST',
      path: `/v1/payments/${pathSegment(id)}/refunds`,
      headers: { 'idempotency-key': idempotencyKey },
      response: simulatorPaymentSchema,
    });
  }

  /** The simulator refunds at once: its answer carries the refund this request made, or none when nothing was left. */
  async refundPart({ paymentId, amountCents, idempotencyKey }: RefundPartInput): Promise<ProviderRefund> {
    const answer = await this.http.request({
      method: 'POST',
      path: `/v1/payments/${pathSegment(paymentId)}/refunds`,
      headers: { 'idempotency-key': idempotencyKey },
      body: { amountCents },
      response: simulatorRefundAnswerSchema,
    });
    if (!answer.refund) {
      throw new PaymentProviderError({
        code: 'not_refundable',
        message: `payment ${paymentId} is already refunded in full`,
        status: 409,
        retryable: false,
      });
    }
    return { id: answer.refund.id, amountCents: answer.refund.amountCents, status: 'succeeded' };
  }
}
