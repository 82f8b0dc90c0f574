import type { Context, Middleware } from 'koa';
import { HttpError } from '../api/error-middleware';
import { bearerToken } from './bearer';
import type { VerifyCustomerToken } from './customer-token';
import { TokenKeysUnavailable, TokenRejected } from './errors';

/** Who is calling: a customer (from a verified token) or support staff (the admin token). */
export type Caller = { kind: 'customer'; customerId: string; email?: string } | { kind: 'admin' };

declare module 'koa' {
  interface DefaultState {
    /** Set by authenticateCaller() on routes that require a caller. */
    caller?: Caller;
  }
}

/** The realm named in WWW-Authenticate for customer routes. */
const REALM = 'orders';

export interface CallerAuthOptions {
  verifyCustomer: VerifyCustomerToken;
  /** When given, this bearer token (compared in constant time) is also admitted, as the admin. */
  isAdminToken?: (token: string) => boolean;
}

/**
 * Admits `Authorization: Bearer <customer JWT>` (and the admin token when `isAdminToken` is given), setting
 * ctx.state.caller. Every refusal is 401 `unauthorized` with `WWW-Authenticate: Bearer` (RFC 6750: with
 * error="invalid_token" when a token was sent but not accepted).
 */
export function authenticateCaller({ verifyCustomer, isAdminToken }: CallerAuthOptions): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (token === undefined) throw unauthorized(ctx, 'an `Authorization: Bearer <token>` header is required');
    if (isAdminToken?.(token)) {
      ctx.state.caller = { kind: 'admin' };
      return next();
    }
    try {
      const identity = await verifyCustomer(token);
      ctx.state.caller = { kind: 'customer', ...identity };
    } catch (err) {
      if (err instanceof TokenRejected) throw unauthorized(ctx, err.message, 'invalid_token');
      if (err instanceof TokenKeysUnavailable) {
        ctx.set('Retry-After', '5');
        throw new HttpError(503, 'service_unavailable', err.message);
      }
      throw err;
    }
    return next();
  };
}

function unauthorized(ctx: Context, message: string, error?: 'invalid_token'): HttpError {
  // The description is our own fixed text (never the token), so it is safe inside the quoted header parameter.
  ctx.set('WWW-Authenticate', error ? `Bearer realm="${REALM}", error="${error}", error_description="${message.replace(/["\\`]/g, '')}"` : `Bearer realm="${REALM}"`);
  return new HttpError(401, 'unauthorized', message);
}

/** The authenticated caller; a route that calls this without authenticateCaller() in front is a programming error. */
export function callerOf(ctx: Context): Caller {
  const caller = ctx.state.caller;
  if (!caller) throw new Error('callerOf: no caller on this route (authenticateCaller() is not mounted)');
  return caller;
}
