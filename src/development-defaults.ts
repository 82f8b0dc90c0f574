/**
 * The development values the repository ships: usable locally, printed in the README and .env.example, so never a
 * secret. They are the settings' defaults (src/config-schema.ts), and production refuses each of them
 * (src/production-rules.ts, src/payments/stripe/stripe-settings.ts).
 */
export const DEVELOPMENT_ADMIN_TOKEN = 'dev-admin-token';
export const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_dev_secret_change_me';
export const DEVELOPMENT_CARRIER_WEBHOOK_SECRET = 'whsec_dev_carrier_secret_change_me';
export const DEVELOPMENT_AUTH_JWT_SECRET = 'dev-jwt-secret-for-local-tokens-only';
/** Only stripe-mock takes it; Stripe itself refuses it. */
export const DEVELOPMENT_STRIPE_SECRET_KEY = 'sk_test_stripemockonly';
export const DEVELOPMENT_STRIPE_WEBHOOK_SECRET = 'whsec_dev_stripe_secret_change_me';
