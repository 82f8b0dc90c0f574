import type { Config } from '../../config-schema';
import { DEVELOPMENT_STRIPE_SECRET_KEY, DEVELOPMENT_STRIPE_WEBHOOK_SECRET } from '../../development-defaults';
import type { ProductionRule } from '../../production-rule';

/** Stripe's secret keys are long random strings after their prefix; these lengths only rule out placeholders. */
const SECRET_KEY = /^(sk|rk)_(live|test)_[0-9A-Za-z]{24,}$/;
const WEBHOOK_SECRET = /^whsec_[0-9A-Za-z+/=]{24,}$/;

const stripeChosen = (config: Pick<Config, 'PAYMENT_PROVIDER'>) => config.PAYMENT_PROVIDER === 'stripe';

/**
 * What production refuses in the Stripe settings, when Stripe is the payment provider: the shipped defaults (they
 * only work against stripe-mock, and the webhook secret is public), and values that cannot be real Stripe secrets.
 * Entries of the production rules (src/production-rules.ts); nothing to say when another provider is chosen.
 */
export const STRIPE_PRODUCTION_RULES: readonly ProductionRule[] = [
  {
    variable: 'STRIPE_SECRET_KEY',
    check: (config) =>
      stripeChosen(config) && (config.STRIPE_SECRET_KEY === DEVELOPMENT_STRIPE_SECRET_KEY || !SECRET_KEY.test(config.STRIPE_SECRET_KEY))
        ? 'set a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_live_…, rk_test_…) from the Dashboard'
        : undefined,
  },
  {
    variable: 'STRIPE_WEBHOOK_SECRET',
    check: (config) => {
      const secret = config.STRIPE_WEBHOOK_SECRET;
      // The shipped secret is public: refused whatever the provider, so no configuration ever carries it.
      if (secret === DEVELOPMENT_STRIPE_WEBHOOK_SECRET) return "is a development default shipped with the code; set the webhook endpoint's signing secret (whsec_…) from the Dashboard";
      if (!stripeChosen(config)) return undefined;
      return secret === undefined || !WEBHOOK_SECRET.test(secret) ? "set the webhook endpoint's signing secret (whsec_…) from the Dashboard" : undefined;
    },
  },
];
