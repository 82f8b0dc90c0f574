import Stripe from 'stripe';
import type { Config } from '../../config';

/** Per request: the activity that makes the call has 15 s in all (workflows/order/activities-proxy.ts). */
export const STRIPE_TIMEOUT_MS = 10_000;

/**
 * The Stripe SDK client for STRIPE_SECRET_KEY. STRIPE_API_BASE (protocol://host:port) points it elsewhere than
 * api.stripe.com, e.g. at stripe-mock in tests. The SDK does not retry by itself: Temporal retries the activity,
 * with the same idempotency keys, so a retry never charges twice.
 */
export function createStripeClient(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE'>, timeoutMs = STRIPE_TIMEOUT_MS): Stripe {
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : undefined;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(config.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: 'order-saga' },
    ...(base ? { protocol, host: base.hostname, port: Number(base.port || (protocol === 'http' ? 80 : 443)) } : {}),
  });
}
