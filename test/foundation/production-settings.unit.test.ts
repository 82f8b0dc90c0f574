import { ConfigError, loadConfig } from '../../src/config';
import { productionProblems } from '../../src/production-rules';
import { PRODUCTION_SAFE_ENV } from '../harness/production-env';
import { NOTHING_LISTENS, runEntry } from '../harness/run-entry';

const { NODE_ENV: _production, ...STRONG } = PRODUCTION_SAFE_ENV;
const production = (env: Record<string, string>) => ({ NODE_ENV: 'production', ...env });
const variablesIn = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable).sort();
    throw err;
  }
  return [];
};

describe('production refuses unsafe settings', () => {
  it('accepts strong secrets, and a JWKS instead of an HS256 secret', () => {
    expect(loadConfig(production(STRONG)).AUTH_JWT_SECRET).toBe(STRONG.AUTH_JWT_SECRET);
    const oidc = { ...STRONG, AUTH_JWT_SECRET: '', AUTH_JWKS_URL: 'https://id.example.com/jwks', AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'order-saga' };
    expect(loadConfig(production(oidc)).AUTH_JWT_SECRET).toBeUndefined();
  });

  it.each([
    ['the shipped admin token', { ADMIN_TOKEN: 'dev-admin-token' }, ['ADMIN_TOKEN'], /development default/],
    ['an unset admin token (the default is the shipped one)', { ADMIN_TOKEN: '' }, ['ADMIN_TOKEN'], /development default/],
    ['a short webhook secret', { PAYMENT_WEBHOOK_SECRET: 'short-but-8+' }, ['PAYMENT_WEBHOOK_SECRET'], /at least 32/],
    ['the shipped webhook secret', { PAYMENT_WEBHOOK_SECRET: 'whsec_dev_secret_change_me' }, ['PAYMENT_WEBHOOK_SECRET'], /development default/],
    ['the development JWT secret', { AUTH_JWT_SECRET: 'dev-jwt-secret-for-local-tokens-only' }, ['AUTH_JWT_SECRET'], /development default/],
    ['a short JWT secret', { AUTH_JWT_SECRET: 'x'.repeat(31) }, ['AUTH_JWT_SECRET'], /at least 32/],
    ['no token verification at all', { AUTH_JWT_SECRET: '' }, ['AUTH_JWT_SECRET'], /no customer token verification/],
  ])('refuses %s, naming the variable', (_name, change, variables, message) => {
    const env = production({ ...STRONG, ...change });
    expect(variablesIn(() => loadConfig(env))).toEqual(variables);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(variablesIn(() => loadConfig({ NODE_ENV: 'production' }))).toEqual(['ADMIN_TOKEN', 'AUTH_JWT_SECRET', 'CARRIER_WEBHOOK_SECRET', 'METRICS_TOKEN', 'PAYLOAD_ENCRYPTION_KEYS', 'PAYMENT_WEBHOOK_SECRET']);
    expect(variablesIn(() => loadConfig({ NODE_ENV: 'production', PAYMENT_PROVIDER: 'stripe' }))).toEqual(
      ['ADMIN_TOKEN', 'AUTH_JWT_SECRET', 'CARRIER_WEBHOOK_SECRET', 'METRICS_TOKEN', 'PAYLOAD_ENCRYPTION_KEYS', 'PAYMENT_WEBHOOK_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    );
  });

  it('a JWKS needs an issuer and an audience (in every environment)', () => {
    expect(variablesIn(() => loadConfig({ AUTH_JWKS_URL: 'https://id.example.com/jwks' }))).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER']);
  });

  it('outside production the development defaults work, customer tokens included', () => {
    const config = loadConfig({});
    expect(config.AUTH_JWT_SECRET).toBe('dev-jwt-secret-for-local-tokens-only');
    expect(productionProblems(config).map((p) => p.variable).sort()).toEqual(
      ['ADMIN_TOKEN', 'AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWT_SECRET', 'CARRIER_WEBHOOK_SECRET', 'METRICS_TOKEN', 'PAYLOAD_ENCRYPTION_KEYS', 'PAYMENT_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_SECRET'],
    );
  });

  it('the API, the worker and the simulator exit non-zero, naming ADMIN_TOKEN, before they reach anything', async () => {
    // Ports where nothing listens: the processes must stop before they would try to reach anything.
    const env = {
      ...process.env,
      ...STRONG,
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'dev-admin-token',
      PORT: '1',
      SIMULATOR_PORT: '1',
      ...NOTHING_LISTENS,
    };
    const results = await Promise.all(['src/api/main.ts', 'src/worker/main.ts', 'src/simulator/main.ts'].map((entry) => runEntry(entry, env)));
    for (const { code, stderr } of results) {
      expect(code).toBe(1);
      expect(stderr).toMatch(/NODE_ENV=production[\s\S]*ADMIN_TOKEN: is a development default/);
    }
  }, 60_000);
});
