import type { Config } from '../config';
import type { PaymentProvider } from './payment-provider';
import { SimulatorPaymentProvider } from './simulator-payment-provider';
import { createStripeClient } from './stripe/stripe-client';
import { StripePaymentProvider } from './stripe/stripe-payment-provider';

/** The payment provider PAYMENT_PROVIDER names: the bundled simulator (PAYMENT_PROVIDER_URL) or Stripe. */
export function createPaymentProvider(config: Config): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'stripe':
      return new StripePaymentProvider(createStripeClient(config));
    case 'simulator':
      return new SimulatorPaymentProvider({ baseUrl: config.PAYMENT_PROVIDER_URL });
  }
}
