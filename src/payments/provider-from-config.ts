import type { Config } from '../config';
import type { PaymentProvider } from './payment-provider';
import { HttpPaymentProvider } from './payment-provider';

/**
 * The configured payment provider's adapter: the one place that chooses it, so the worker (which charges) and the
 * API (which refuses payment methods the provider cannot take) always agree.
 */
export function createPaymentProvider(config: Pick<Config, 'PAYMENT_PROVIDER_URL'>): PaymentProvider {
  return new HttpPaymentProvider({ baseUrl: config.PAYMENT_PROVIDER_URL });
}
