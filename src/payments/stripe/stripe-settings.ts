import type { Config } from '../../config';

/** Stripe's secret keys are long random strings after their prefix; these lengths only rule out placeholders. */
const SECRET_KEY = /^(sk|rk)_(live|test)_[0-9A-Za-z]{24,}$/;
const WEBHOOK_SECRET = /^whsec_[0-9A-Za-z+/=]{24,}$/;
const SHIPPED_SECRET_KEY = 'sk_test_stripemockonly';
const SHIPPED_WEBHOOK_SECRET = 'whsec_dev_stripe_secret_change_me';

/**
 * What production refuses in the Stripe settings, when Stripe is the payment provider: the shipped defaults (they
 * only work against stripe-mock, and the webhook secret is public), and values that cannot be real Stripe secrets.
 * One entry per problem, naming the variable; empty when all is well (or when another provider is chosen).
 */
export function stripeProductionProblems(config: Pick<Config, 'NODE_ENV' | 'PAYMENT_PROVIDER' | 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'>): { variable: string; message: string }[] {
  if (config.NODE_ENV !== 'production' || config.PAYMENT_PROVIDER !== 'stripe') return [];
  const problems: { variable: string; message: string }[] = [];
  if (config.STRIPE_SECRET_KEY === SHIPPED_SECRET_KEY || !SECRET_KEY.test(config.STRIPE_SECRET_KEY)) {
    problems.push({ variable: 'STRIPE_SECRET_KEY', message: 'set a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_live_…, rk_test_…) from the Dashboard' });
  }
  if (config.STRIPE_WEBHOOK_SECRET === SHIPPED_WEBHOOK_SECRET || !WEBHOOK_SECRET.test(config.STRIPE_WEBHOOK_SECRET)) {
    problems.push({ variable: 'STRIPE_WEBHOOK_SECRET', message: "set the webhook endpoint's signing secret (whsec_…) from the Dashboard" });
  }
  return problems;
}
