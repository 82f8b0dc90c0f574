import type { JWTPayload, JWTVerifyOptions } from 'jose';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { Config } from '../config';
import { customerEmailSchema, customerIdSchema } from '../orders/request-schemas';
import { TokenKeysUnavailable, TokenRejected } from './errors';

/** Who a verified customer token speaks for. */
export interface CustomerIdentity {
  /** The token's `sub`. */
  customerId: string;
  /** The token's `email` claim, when it has one. */
  email?: string;
}

export type VerifyCustomerToken = (token: string) => Promise<CustomerIdentity>;

export type TokenSettings = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;

/** Clocks of the token issuer and of this service may disagree by this much (exp, nbf, iat). */
export const CLOCK_TOLERANCE_SECONDS = 60;

const HMAC_ALGORITHMS = ['HS256'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Verifies customer bearer tokens: HS256 with AUTH_JWT_SECRET, and/or RS256/ES256 with the keys an OIDC provider
 * publishes at AUTH_JWKS_URL (fetched on first use, cached, fetched again when a token names an unknown key id).
 * The token's own `alg` picks the key, and only from that list: `none`, or an HMAC token made with a provider's
 * public key as its secret, is never accepted. Issuer and audience are checked whenever they are configured;
 * `sub` and `exp` are required.
 */
export function createCustomerTokenVerifier(settings: TokenSettings): VerifyCustomerToken {
  const secret = settings.AUTH_JWT_SECRET ? new TextEncoder().encode(settings.AUTH_JWT_SECRET) : undefined;
  const jwks = settings.AUTH_JWKS_URL
    ? createRemoteJWKSet(new URL(settings.AUTH_JWKS_URL), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
    : undefined;
  const claims: JWTVerifyOptions = {
    issuer: settings.AUTH_ISSUER,
    audience: settings.AUTH_AUDIENCE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
  };

  return async (token) => {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new TokenRejected('the bearer token is not a JWT');
    }
    let payload: JWTPayload;
    try {
      if (secret && typeof alg === 'string' && HMAC_ALGORITHMS.includes(alg)) {
        ({ payload } = await jwtVerify(token, secret, { ...claims, algorithms: HMAC_ALGORITHMS }));
      } else if (jwks && typeof alg === 'string' && PUBLIC_KEY_ALGORITHMS.includes(alg)) {
        ({ payload } = await jwtVerify(token, jwks, { ...claims, algorithms: PUBLIC_KEY_ALGORITHMS }));
      } else {
        // The token's own alg is never repeated back: it is the caller's text, and answers carry no caller text.
        throw new TokenRejected(`the token's alg is not accepted (${[...(secret ? HMAC_ALGORITHMS : []), ...(jwks ? PUBLIC_KEY_ALGORITHMS : [])].join(', ')} only)`);
      }
    } catch (err) {
      throw explain(err);
    }
    return identityOf(payload);
  };
}

function identityOf(payload: JWTPayload): CustomerIdentity {
  const sub = customerIdSchema.safeParse(payload.sub);
  // The trimmed form must be the claim itself: " alice" and "alice" are different subjects, not one.
  if (!sub.success || sub.data !== payload.sub) throw new TokenRejected('the token has no usable `sub` claim');
  if (payload.email === undefined) return { customerId: sub.data };
  const email = customerEmailSchema.safeParse(payload.email);
  if (!email.success) throw new TokenRejected('the token\'s `email` claim is not an email address');
  return { customerId: sub.data, email: email.data };
}

/** Turns what jose throws into the one answer the client gets; provider trouble is not the token's fault. */
function explain(err: unknown): Error {
  if (err instanceof TokenRejected) return err;
  if (err instanceof errors.JWTExpired) return new TokenRejected('the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return new TokenRejected('the token is not valid yet');
    return new TokenRejected(`the token's \`${err.claim}\` claim is missing or not accepted`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenRejected('the token signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenRejected('no key of the identity provider matches the token');
  // The provider's side (unreachable, slow, a non-200 or unusable key set): the token may well be good.
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || isGenericJoseError(err) || isNetworkError(err)) {
    return new TokenKeysUnavailable("the identity provider's signing keys cannot be fetched; retry shortly", { cause: err });
  }
  return new TokenRejected('the token is malformed or not accepted');
}

function isGenericJoseError(err: unknown): boolean {
  return err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC';
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(E[A-Z]+|UND_ERR.*)$/.test(code);
}
