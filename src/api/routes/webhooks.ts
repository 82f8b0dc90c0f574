import { webhookEventSchema } from '../../payments/webhook-event';
import { logRequestAsAboutOrder } from '../../orders/log-fields';
import type { PaymentEventDeps } from '../../orders/payment-webhooks';
import { deliverPaymentEvent } from '../../orders/payment-webhooks';
import { webhookAckJsonSchema } from '../../orders/response-schemas';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { defineRoute, json } from '../define-route';
import { requestLogger } from '../request-id';
import { countWebhooks } from './outcome-metrics';

type WebhookDeps = PaymentEventDeps & { metrics: ApiMetrics };

const PaymentWebhookEvent = webhookEventSchema.meta({ id: 'PaymentWebhookEvent' });

/** Called by the payment provider; the signature is checked (auth) before the body is parsed. */
export const webhookRoutes = [
  defineRoute({
    method: 'post',
    path: '/webhooks/payments',
    operationId: 'receivePaymentWebhook',
    auth: 'paymentSignature',
    tags: ['webhooks'],
    summary: "The payment provider's webhook",
    description:
      'Verified with the Payment-Signature header, then handed to the order saga. Duplicates answer 200 again.',
    request: { body: PaymentWebhookEvent },
    responses: { 200: json('Accepted (or a duplicate of an accepted event)', webhookAckJsonSchema) },
    errors: ['not_found', 'service_unavailable'],
    middleware: (deps: WebhookDeps) => [countWebhooks(deps.metrics)],
    handler: async ({ body: event }, ctx, deps: WebhookDeps) => {
      logRequestAsAboutOrder(ctx, event.data.orderId);
      const delivery = await deliverPaymentEvent(deps, event);
      ctx.state.webhookDelivery = delivery;
      requestLogger(ctx, deps.logger).info({ eventId: event.id, type: event.type, delivery }, 'payment webhook received');
      return { received: true };
    },
  }),
];
