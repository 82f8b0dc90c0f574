import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from './error-middleware';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Admits requests carrying `Authorization: Bearer <token>`; anything else is 401 `unauthorized`.
 * Both sides are hashed before timingSafeEqual: it needs equal lengths, and comparing digests means neither the
 * time taken nor an early length check tells a caller how much of the token, or how long a token, it got right.
 */
export function requireAdmin(token: string): Middleware {
  if (token.length === 0) throw new Error('requireAdmin: the admin token must not be empty');
  const expected = sha256(token);
  return async (ctx, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(ctx.get('authorization'));
    if (!match || !timingSafeEqual(sha256(match[1]), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="admin"');
      throw new HttpError(401, 'unauthorized', 'a valid admin bearer token is required');
    }
    await next();
  };
}
