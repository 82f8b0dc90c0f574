import type { Context } from 'koa';
import { orderLogFields } from '../orders/log-fields';

/**
 * Names the order on the request's logger, so every later line of this request (the access log included) carries
 * orderId and workflowId. A no-op outside the API's request-id middleware.
 */
export function logRequestAsAboutOrder(ctx: Context, orderId: string): void {
  if (ctx.state.logger) ctx.state.logger = ctx.state.logger.child(orderLogFields(orderId));
}
