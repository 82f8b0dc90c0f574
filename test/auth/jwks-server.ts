import { createServer } from 'node:http';
import type { KeyLike } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicJwk: Record<string, unknown>;
}

export async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A token as an OIDC provider would issue it, signed with one of its keys. */
export function providerToken(key: SigningKey, claims: Record<string, unknown>, options: { issuer?: string; audience?: string; sub?: string; expiresIn?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt().setExpirationTime(options.expiresIn ?? '5m');
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(key.privateKey);
}

/**
 * An identity provider's JWKS endpoint on a free loopback port. `keys` may be changed while it runs (key rotation);
 * `fetches` counts the requests it answered, `failing` makes it answer 500.
 */
export async function serveJwks(keys: SigningKey[]) {
  const state = { keys, fetches: 0, failing: false };
  const server = createServer((req, res) => {
    state.fetches++;
    if (state.failing) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
