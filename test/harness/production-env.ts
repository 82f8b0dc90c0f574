import { randomBytes } from 'node:crypto';

/**
 * An environment NODE_ENV=production accepts: every secret the production rules check set to a strong value of
 * its own. A test changes the one setting it is about and expects only that one named.
 */
export const PRODUCTION_SAFE_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  ADMIN_TOKEN: 'an-admin-token-of-32-or-more-characters',
  PAYMENT_WEBHOOK_SECRET: 'whsec_a-webhook-secret-of-32-or-more-chars',
  CARRIER_WEBHOOK_SECRET: 'whsec_a-carrier-secret-of-32-or-more-chars',
  AUTH_JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters!',
  AUTH_ISSUER: 'https://orders.example.com/',
  AUTH_AUDIENCE: 'order-saga',
  METRICS_TOKEN: 'a-metrics-token-of-32-or-more-characters',
  PAYLOAD_ENCRYPTION_KEYS: `prod1:${randomBytes(32).toString('base64')}`,
};
