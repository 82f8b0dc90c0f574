import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { PRODUCTION_SAFE_ENV } from '../harness/production-env';

/** Issue #25: what production refuses since the second security review (findings 1, 5, 10, 11). */
const refusal = (env: Record<string, string>): { variables: string[]; text: string } => {
  try {
    loadConfig({ ...PRODUCTION_SAFE_ENV, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return { variables: err.issues.map((i) => i.variable).sort(), text: err.message };
    throw err;
  }
  return { variables: [], text: '' };
};

describe('production: webhook secrets (finding 1)', () => {
  it('refuses the shipped Stripe signing secret whatever the provider, naming it', () => {
    for (const provider of ['simulator', 'stripe']) {
      const { variables, text } = refusal({ PAYMENT_PROVIDER: provider, STRIPE_WEBHOOK_SECRET: 'whsec_dev_stripe_secret_change_me' });
      expect(variables).toContain('STRIPE_WEBHOOK_SECRET');
      expect(text).toMatch(/STRIPE_WEBHOOK_SECRET: is a development default/);
    }
  });

  it('refuses any shipped webhook secret as PAYMENT_WEBHOOK_SECRET', () => {
    for (const shipped of ['whsec_dev_secret_change_me', 'whsec_dev_stripe_secret_change_me']) {
      expect(refusal({ PAYMENT_WEBHOOK_SECRET: shipped }).variables).toEqual(['PAYMENT_WEBHOOK_SECRET']);
    }
  });

  it('gives STRIPE_WEBHOOK_SECRET no default in production (the simulator needs none); locally the development one', () => {
    expect(loadConfig(PRODUCTION_SAFE_ENV).STRIPE_WEBHOOK_SECRET).toBeUndefined();
    expect(refusal({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: `sk_live_${'a1B2'.repeat(12)}` }).variables).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(loadConfig({}).STRIPE_WEBHOOK_SECRET).toBe('whsec_dev_stripe_secret_change_me');
  });
});

describe('production: the codec server (finding 5)', () => {
  it('requires CODEC_AUTH_TOKEN when the codec server listens beyond loopback', () => {
    expect(refusal({ CODEC_HOST: '0.0.0.0' })).toMatchObject({ variables: ['CODEC_AUTH_TOKEN'], text: expect.stringMatching(/CODEC_AUTH_TOKEN: required when the codec server listens beyond loopback/) });
    expect(refusal({ CODEC_HOST: '10.0.0.5' }).variables).toEqual(['CODEC_AUTH_TOKEN']);
    expect(refusal({ CODEC_HOST: '0.0.0.0', CODEC_AUTH_TOKEN: 'a-codec-token-of-32-or-more-characters' }).variables).toEqual([]);
  });

  it('accepts no token on loopback, and refuses a short one anywhere', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(refusal({ CODEC_HOST: host }).variables).toEqual([]);
    expect(refusal({ CODEC_HOST: '0.0.0.0', CODEC_AUTH_TOKEN: 'sixteen-chars-ok' }).variables).toEqual(['CODEC_AUTH_TOKEN']);
  });
});

describe('production: metrics (finding 10)', () => {
  it('requires METRICS_TOKEN, 32 characters or more', () => {
    expect(refusal({ METRICS_TOKEN: '' })).toMatchObject({ variables: ['METRICS_TOKEN'], text: expect.stringMatching(/METRICS_TOKEN: must be set/) });
    expect(refusal({ METRICS_TOKEN: 'only-twenty-chars-xx' }).variables).toEqual(['METRICS_TOKEN']);
  });
});

describe('customer tokens and key material (finding 11)', () => {
  it('never prints key material: an entry without a key id is named by its position', () => {
    const key = randomBytes(32).toString('base64');
    for (const value of [key, `k1:${randomBytes(32).toString('base64')},${key}`]) {
      let message = '';
      try {
        loadConfig({ PAYLOAD_ENCRYPTION_KEYS: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/PAYLOAD_ENCRYPTION_KEYS: .*entry \d of \d has no valid key id/);
      for (let i = 0; i + 4 <= key.length; i++) expect({ i, leaked: message.includes(key.slice(i, i + 4)) }).toEqual({ i, leaked: false });
    }
  });

  it('HS256 tokens need AUTH_ISSUER and AUTH_AUDIENCE in production', () => {
    expect(refusal({ AUTH_ISSUER: '', AUTH_AUDIENCE: '' })).toMatchObject({
      variables: ['AUTH_AUDIENCE', 'AUTH_ISSUER'],
      text: expect.stringMatching(/AUTH_ISSUER: required with AUTH_JWT_SECRET/),
    });
    expect(refusal({ AUTH_AUDIENCE: '' }).variables).toEqual(['AUTH_AUDIENCE']);
  });

  it('AUTH_JWKS_URL must be https in production', () => {
    const oidc = { AUTH_JWT_SECRET: '', AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'order-saga' };
    expect(refusal({ ...oidc, AUTH_JWKS_URL: 'http://id.example.com/jwks' })).toMatchObject({ variables: ['AUTH_JWKS_URL'], text: expect.stringMatching(/AUTH_JWKS_URL: must be an https:\/\/ URL/) });
    expect(refusal({ ...oidc, AUTH_JWKS_URL: 'https://id.example.com/jwks' }).variables).toEqual([]);
  });
});
