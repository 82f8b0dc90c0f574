import type { Context } from 'koa';

/**
 * The router's pattern for this request (`/orders/:id`), never the raw URL: ids in a label or a log field meant
 * for grouping would make one series per order. Requests no route matched share one value.
 */
export function matchedRoute(ctx: Context): string {
  const route = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof route === 'string' ? route : 'unmatched';
}
