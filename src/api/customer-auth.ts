import type { Context } from 'koa';
import { bearerToken } from '../auth/bearer';
import type { VerifyCustomerToken } from '../auth/customer-token';
import { TokenKeysUnavailable, TokenRejected } from '../auth/errors';
import type { AdminPrincipal, CustomerPrincipal } from '../auth/principals';
import { HttpError } from '../http/errors';

/** The realm named in WWW-Authenticate on customer routes. */
const REALM = 'orders';

export interface CustomerAuthOptions {
  verifyCustomer: VerifyCustomerToken;
  /** When given, a bearer token it recognises (the admin token) is admitted as the admin. */
  isAdminToken?: (token: string) => boolean;
}

/**
 * Checks `Authorization: Bearer <customer JWT>` (or the admin token, when `isAdminToken` is given) and returns who
 * is calling. Every refusal is 401 `unauthorized` with `WWW-Authenticate: Bearer` (RFC 6750: with
 * error="invalid_token" when a token was sent but not accepted); keys the identity provider cannot serve are a 503.
 */
export function customerAuthenticator(options: { verifyCustomer: VerifyCustomerToken }): (ctx: Context) => Promise<CustomerPrincipal>;
export function customerAuthenticator(options: CustomerAuthOptions): (ctx: Context) => Promise<CustomerPrincipal | AdminPrincipal>;
export function customerAuthenticator({ verifyCustomer, isAdminToken }: CustomerAuthOptions) {
  return async (ctx: Context): Promise<CustomerPrincipal | AdminPrincipal> => {
    const token = bearerToken(ctx.get('authorization'));
    if (token === undefined) throw unauthorized(ctx, 'an `Authorization: Bearer <token>` header is required');
    if (isAdminToken?.(token)) return { kind: 'admin' };
    try {
      return { kind: 'customer', ...(await verifyCustomer(token)) };
    } catch (err) {
      if (err instanceof TokenRejected) throw unauthorized(ctx, err.message, 'invalid_token');
      if (err instanceof TokenKeysUnavailable) {
        ctx.set('Retry-After', '5');
        throw new HttpError(503, 'service_unavailable', err.message);
      }
      throw err;
    }
  };
}

function unauthorized(ctx: Context, message: string, error?: 'invalid_token'): HttpError {
  // The header carries fixed text only: a message may one day quote the token, and a header that holds caller text
  // can break the answer (Node refuses non-Latin-1 header values: a 500) or split it. The body says what was wrong.
  ctx.set('WWW-Authenticate', error ? `Bearer realm="${REALM}", error="${error}", error_description="the bearer token is not accepted"` : `Bearer realm="${REALM}"`);
  return new HttpError(401, 'unauthorized', message);
}
