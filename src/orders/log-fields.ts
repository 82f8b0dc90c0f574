import type { Context } from 'koa';
import { orderWorkflowId } from '../../workflows/order/definitions';

/** The fields every log line about an order carries, so one filter finds the API's and the worker's lines alike. */
export function orderLogFields(orderId: string): { orderId: string; workflowId: string } {
  return { orderId, workflowId: orderWorkflowId(orderId) };
}

/**
 * Names the order on the request's logger, so every later line of this request (the access log included) carries
 * orderId and workflowId. A no-op outside the API's request-id middleware.
 */
export function logRequestAsAboutOrder(ctx: Context, orderId: string): void {
  if (ctx.state.logger) ctx.state.logger = ctx.state.logger.child(orderLogFields(orderId));
}
