import type { Config } from './config-schema';
import type { ProductionRule } from './production-rule';
import {
  DEVELOPMENT_ADMIN_TOKEN,
  DEVELOPMENT_AUTH_JWT_SECRET,
  DEVELOPMENT_CARRIER_WEBHOOK_SECRET,
  DEVELOPMENT_STRIPE_WEBHOOK_SECRET,
  DEVELOPMENT_WEBHOOK_SECRET,
} from './development-defaults';
import { STRIPE_PRODUCTION_RULES } from './payments/stripe/stripe-settings';
import { includesDevKey } from './temporal/encryption-keys';

/**
 * What NODE_ENV=production refuses to start with. Every process loads its configuration through loadConfig(), so
 * the API, the worker and the simulator all exit non-zero within seconds, naming each unsafe setting.
 *
 * A rule is one entry of PRODUCTION_RULES: the variable it is about, and a check that returns what is wrong (or
 * undefined). A new secret or a new "must be configured" setting is one more entry.
 */

const SHIPPED_SECRETS = new Set([
  DEVELOPMENT_ADMIN_TOKEN,
  DEVELOPMENT_WEBHOOK_SECRET,
  DEVELOPMENT_CARRIER_WEBHOOK_SECRET,
  DEVELOPMENT_AUTH_JWT_SECRET,
  DEVELOPMENT_STRIPE_WEBHOOK_SECRET,
]);

/** Hosts a server bound to cannot be reached from another machine or container. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/** 32 characters: a random token of that length is beyond guessing, and HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

/** A secret that must be set, not a shipped value, and long enough. `optional`: unset is acceptable. */
export function secretRule(variable: keyof Config & string, options: { optional?: boolean } = {}): ProductionRule {
  return {
    variable,
    check(config) {
      const value = config[variable];
      if (value === undefined) return options.optional ? undefined : 'must be set';
      if (typeof value !== 'string') return 'must be a string';
      if (SHIPPED_SECRETS.has(value)) return 'is a development default shipped with the code; set a secret of your own';
      if (value.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters (got ${value.length})`;
      return undefined;
    },
  };
}

export const PRODUCTION_RULES: ProductionRule[] = [
  secretRule('ADMIN_TOKEN'),
  secretRule('PAYMENT_WEBHOOK_SECRET'),
  secretRule('CARRIER_WEBHOOK_SECRET'),
  // Unset is fine when tokens come from an OIDC provider (the next rule makes sure one of the two is configured).
  secretRule('AUTH_JWT_SECRET', { optional: true }),
  {
    variable: 'AUTH_JWT_SECRET',
    check: (config) =>
      config.AUTH_JWT_SECRET === undefined && config.AUTH_JWKS_URL === undefined
        ? 'no customer token verification is configured: set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL with AUTH_ISSUER and AUTH_AUDIENCE'
        : undefined,
  },
  // An HS256 secret signs tokens for whoever shares it: issuer and audience pin the tokens to this service.
  ...(['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).map(
    (variable): ProductionRule => ({
      variable,
      check: (config) => (config.AUTH_JWT_SECRET !== undefined && config[variable] === undefined ? 'required with AUTH_JWT_SECRET (HS256 customer tokens)' : undefined),
    }),
  ),
  {
    variable: 'AUTH_JWKS_URL',
    check: (config) =>
      config.AUTH_JWKS_URL !== undefined && new URL(config.AUTH_JWKS_URL).protocol !== 'https:'
        ? 'must be an https:// URL: keys fetched in clear could be swapped on the way, and with them every token accepted'
        : undefined,
  },
  {
    variable: 'CODEC_AUTH_TOKEN',
    check: (config) =>
      config.CODEC_AUTH_TOKEN === undefined && !isLoopbackHost(config.CODEC_HOST)
        ? `required when the codec server listens beyond loopback (CODEC_HOST=${config.CODEC_HOST}): it decrypts every history for whoever reaches it`
        : undefined,
  },
  secretRule('CODEC_AUTH_TOKEN', { optional: true }),
  // /metrics names routes, outcomes and volumes; in production only the scraper reads it.
  secretRule('METRICS_TOKEN'),
  {
    variable: 'PAYLOAD_ENCRYPTION_KEYS',
    check: (config) =>
      includesDevKey(config.PAYLOAD_ENCRYPTION_KEYS)
        ? 'NODE_ENV=production refuses the development encryption key; set your own (`openssl rand -base64 32`)'
        : undefined,
  },
  ...STRIPE_PRODUCTION_RULES,
];

/** Every problem the rules find, each naming its variable; empty when the configuration is fit for production. */
export function productionProblems(config: Config, rules: readonly ProductionRule[] = PRODUCTION_RULES): { variable: string; message: string }[] {
  return rules.flatMap((rule) => {
    const message = rule.check(config);
    return message === undefined ? [] : [{ variable: rule.variable, message }];
  });
}
