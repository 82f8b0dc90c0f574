import type { Context } from 'koa';
import type { ApiDeps } from '../api/deps';
import { requestLogger } from '../api/request-id';
import { logRequestAsAboutOrder } from './log-fields';
import type { WebhookReceipt } from './receive-payment-webhook';

/**
 * The 200 both webhook routes answer once an event is handled (or was handled before), and the one log line about
 * it: ids and outcome only, never the body (it carries customer data).
 */
export function acknowledgeWebhook(ctx: Context, deps: Pick<ApiDeps, 'logger'>, receipt: WebhookReceipt): void {
  if (receipt.orderId) logRequestAsAboutOrder(ctx, receipt.orderId);
  ctx.state.webhookDelivery = receipt.duplicate ? 'duplicate' : receipt.outcome;
  requestLogger(ctx, deps.logger).info(
    { eventId: receipt.eventId, type: receipt.type, delivery: receipt.outcome, duplicate: receipt.duplicate },
    'payment webhook received',
  );
  ctx.body = { received: true, ...(receipt.duplicate ? { duplicate: true } : {}) };
}
