import { SignJWT } from 'jose';
import type { TokenSettings } from '../../src/auth/customer-token';
import { createCustomerTokenVerifier } from '../../src/auth/customer-token';
import { signCustomerToken } from '../../src/auth/development-token';
import { TokenKeysUnavailable, TokenRejected } from '../../src/auth/errors';
import type { SigningKey } from './jwks-server';
import { providerToken, serveJwks, signingKey } from './jwks-server';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const hs: TokenSettings = { AUTH_JWT_SECRET: SECRET };
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs arbitrary claims (or none of the usual ones) with a secret. */
function hmacToken(claims: Record<string, unknown>, secret = SECRET) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the token was accepted');
}

describe('customer tokens, HS256 (AUTH_JWT_SECRET)', () => {
  const verify = createCustomerTokenVerifier(hs);

  it('accepts a token: sub is the customer id, email the email claim when present', async () => {
    await expect(verify(await signCustomerToken(hs, { customerId: 'alice', email: 'alice@example.com' }))).resolves.toEqual({
      customerId: 'alice',
      email: 'alice@example.com',
    });
    await expect(verify(await signCustomerToken(hs, { customerId: 'bob' }))).resolves.toEqual({ customerId: 'bob' });
  });

  it.each([
    ['not a JWT', async () => 'not-a-jwt', /not a JWT/],
    ['signed with another secret', () => hmacToken({ sub: 'alice', exp: now() + 60 }, 'another-secret-of-at-least-32-characters'), /signature/],
    ['alg: none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: now() + 60 })}.`, /alg is not accepted \(HS256 only\)/],
    ['expired more than 60 s ago', () => hmacToken({ sub: 'alice', exp: now() - 90 }), /expired/],
    ['not valid for another 2 minutes', () => hmacToken({ sub: 'alice', exp: now() + 600, nbf: now() + 120 }), /not valid yet/],
    ['without sub', () => hmacToken({ exp: now() + 60 }), /sub/],
    ['with an empty sub', () => hmacToken({ sub: '', exp: now() + 60 }), /sub/],
    ['with a sub that has control characters', () => hmacToken({ sub: 'al\u0007ice', exp: now() + 60 }), /sub/],
    ['without exp (it would never expire)', () => hmacToken({ sub: 'alice' }), /exp/],
    ['with an email claim that is not an email', () => hmacToken({ sub: 'alice', email: 'nope', exp: now() + 60 }), /email/],
  ])('rejects a token %s', async (_name, make, message) => {
    const err = await rejection(verify(await make()));
    expect(err).toBeInstanceOf(TokenRejected);
    expect(err.message).toMatch(message);
  });

  it('allows 60 s of clock skew on exp and nbf', async () => {
    await expect(verify(await hmacToken({ sub: 'alice', exp: now() - 30 }))).resolves.toEqual({ customerId: 'alice' });
    await expect(verify(await hmacToken({ sub: 'alice', exp: now() + 600, nbf: now() + 30 }))).resolves.toEqual({ customerId: 'alice' });
  });

  it('checks issuer and audience when they are configured', async () => {
    const pinned: TokenSettings = { ...hs, AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'order-saga' };
    const verifyPinned = createCustomerTokenVerifier(pinned);
    await expect(verifyPinned(await signCustomerToken(pinned, { customerId: 'alice' }))).resolves.toEqual({ customerId: 'alice' });
    for (const other of [{ ...pinned, AUTH_ISSUER: 'https://evil.example.com/' }, { ...pinned, AUTH_AUDIENCE: 'another-api' }, hs]) {
      const err = await rejection(verifyPinned(await signCustomerToken(other, { customerId: 'alice' })));
      expect(err).toBeInstanceOf(TokenRejected);
      expect(err.message).toMatch(/`(iss|aud)` claim/);
    }
  });
});

describe('customer tokens from an identity provider (AUTH_JWKS_URL)', () => {
  const issuer = 'https://id.example.com/realms/shop';
  const audience = 'order-saga';
  let rsa: SigningKey;
  let ec: SigningKey;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let settings: TokenSettings;

  beforeAll(async () => {
    rsa = await signingKey('RS256', 'rsa-1');
    ec = await signingKey('ES256', 'ec-1');
    jwks = await serveJwks([rsa, ec]);
    settings = { AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience };
  });
  afterAll(() => jwks?.close());

  it('accepts RS256 and ES256 tokens, fetching the key set once and caching it', async () => {
    const verify = createCustomerTokenVerifier(settings);
    const before = jwks.state.fetches;
    for (const key of [rsa, ec, rsa, ec]) {
      const token = await providerToken(key, { email: 'carol@example.com' }, { issuer, audience, sub: 'carol' });
      await expect(verify(token)).resolves.toEqual({ customerId: 'carol', email: 'carol@example.com' });
    }
    expect(jwks.state.fetches - before).toBe(1);
  });

  it('rejects a wrong issuer, a wrong audience, an unknown key, no sub, and HS256 tokens (no secret configured)', async () => {
    const verify = createCustomerTokenVerifier(settings);
    const stranger = await signingKey('RS256', 'not-published');
    const cases: [Promise<string>, RegExp][] = [
      [providerToken(rsa, {}, { issuer: 'https://evil.example.com/', audience, sub: 'carol' }), /`iss` claim/],
      [providerToken(rsa, {}, { issuer, audience: 'another-api', sub: 'carol' }), /`aud` claim/],
      [providerToken(stranger, {}, { issuer, audience, sub: 'carol' }), /no key/],
      [providerToken(ec, {}, { issuer, audience }), /sub/],
      [providerToken(rsa, {}, { issuer, audience, sub: 'carol', expiresIn: '-2m' }), /expired/],
      [signCustomerToken({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience }, { customerId: 'carol' }), /alg is not accepted \(RS256, ES256 only\)/],
    ];
    for (const [token, message] of cases) {
      const err = await rejection(verify(await token));
      expect(err).toBeInstanceOf(TokenRejected);
      expect(err.message).toMatch(message);
    }
  });

  it('says the keys are unavailable (not that the token is bad) when the provider does not answer', async () => {
    const token = await providerToken(rsa, {}, { issuer, audience, sub: 'carol' });
    jwks.state.failing = true;
    try {
      expect(await rejection(createCustomerTokenVerifier(settings)(token))).toBeInstanceOf(TokenKeysUnavailable);
    } finally {
      jwks.state.failing = false;
    }
    const nowhere = createCustomerTokenVerifier({ ...settings, AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks.json' });
    expect(await rejection(nowhere(token))).toBeInstanceOf(TokenKeysUnavailable);
  });

  it('accepts both kinds when both are configured, each with its own key', async () => {
    const both = { ...settings, AUTH_JWT_SECRET: SECRET };
    const verify = createCustomerTokenVerifier(both);
    await expect(verify(await signCustomerToken(both, { customerId: 'dave' }))).resolves.toEqual({ customerId: 'dave' });
    await expect(verify(await providerToken(ec, {}, { issuer, audience, sub: 'erin' }))).resolves.toEqual({ customerId: 'erin' });
    // An HS256 token whose "secret" is the provider's public key (the classic algorithm confusion) does not verify.
    const confused = await hmacToken({ sub: 'mallory', exp: now() + 60, iss: issuer, aud: audience }, JSON.stringify(rsa.publicJwk));
    expect(await rejection(verify(confused))).toBeInstanceOf(TokenRejected);
  });
});
