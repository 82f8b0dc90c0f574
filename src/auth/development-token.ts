import { SignJWT } from 'jose';
import type { TokenSettings } from './customer-token';

/**
 * An HS256 customer token signed with AUTH_JWT_SECRET, as `npm run token` prints it and the tests use it. It carries
 * AUTH_ISSUER / AUTH_AUDIENCE when those are configured, so it passes the same checks as a provider's token.
 */
export async function signCustomerToken(
  settings: TokenSettings,
  claims: { customerId: string; email?: string; expiresIn?: string | number; notBefore?: string | number },
): Promise<string> {
  if (!settings.AUTH_JWT_SECRET) throw new Error('AUTH_JWT_SECRET is not set: there is no key to sign customer tokens with');
  const jwt = new SignJWT(claims.email === undefined ? {} : { email: claims.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.customerId)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (claims.notBefore !== undefined) jwt.setNotBefore(claims.notBefore);
  if (settings.AUTH_ISSUER) jwt.setIssuer(settings.AUTH_ISSUER);
  if (settings.AUTH_AUDIENCE) jwt.setAudience(settings.AUTH_AUDIENCE);
  return jwt.sign(new TextEncoder().encode(settings.AUTH_JWT_SECRET));
}
