import { ConfigError, loadConfig } from '../../src/config';
import { PRODUCTION_SAFE_ENV } from '../harness/production-env';

describe('Stripe settings in production', () => {
  const live = { ...PRODUCTION_SAFE_ENV, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: `sk_live_${'a1B2'.repeat(12)}`, STRIPE_WEBHOOK_SECRET: `whsec_${'Zx9'.repeat(12)}` };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.map((i) => i.variable);
    }
  };

  it('accepts real-looking secret, restricted and test keys with a signing secret', () => {
    expect(problems(live)).toEqual([]);
    expect(problems({ ...live, STRIPE_SECRET_KEY: `rk_live_${'q'.repeat(40)}` })).toEqual([]);
    expect(problems({ ...live, STRIPE_SECRET_KEY: `sk_test_${'q'.repeat(40)}` })).toEqual([]);
  });

  it('refuses the shipped defaults and placeholders, naming the variable', () => {
    expect(problems({ ...PRODUCTION_SAFE_ENV, PAYMENT_PROVIDER: 'stripe' })).toEqual(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
    expect(problems({ ...live, STRIPE_SECRET_KEY: 'sk_live_short' })).toEqual(['STRIPE_SECRET_KEY']);
    expect(problems({ ...live, STRIPE_WEBHOOK_SECRET: 'whsec_dev_stripe_secret_change_me' })).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(problems({ ...live, STRIPE_WEBHOOK_SECRET: 'not-a-signing-secret-at-all-really' })).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(problems({ ...live, STRIPE_SECRET_KEY: `pk_live_${'a'.repeat(40)}` })).toEqual(['STRIPE_SECRET_KEY']);
  });

  it('leaves the Stripe settings alone when the simulator is the provider, and outside production', () => {
    expect(problems({ ...PRODUCTION_SAFE_ENV, PAYMENT_PROVIDER: 'simulator' })).toEqual([]);
    expect(problems({ NODE_ENV: 'development', PAYMENT_PROVIDER: 'stripe' })).toEqual([]);
  });
});
