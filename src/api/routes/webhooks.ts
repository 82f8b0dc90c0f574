import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Config } from '../../config';
import { isRefusedRequest } from '../../http/errors';
import { requestLogger } from '../../http/request-id';
import { json } from '../../http/route';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { webhookAckJsonSchema } from '../../orders/response-schemas';
import type { PaymentEventDeps } from '../../webhooks/deliver';
import type { WebhookProvider, WebhookReceipt } from '../../webhooks/inbox';
import { readEnvelope, recordMalformed, recordUnverified } from '../../webhooks/inbox';
import { receiveSimulatorDelivery } from '../../webhooks/simulator-receive';
import { receiveStripeDelivery } from '../../webhooks/stripe-receive';
import { WEBHOOK_EVENT_TYPES, webhookEventSchema } from '../../wire/webhook-event';
import { logRequestAsAboutOrder } from '../log-order';
import { defineRoute } from '../route';
import { countWebhooks } from './outcome-metrics';

/** What receiving a webhook uses: delivery to the saga, the inbox's database and the webhook counters. */
type Deps = PaymentEventDeps & { metrics: Pick<ApiMetrics, 'webhooksReceived'> };

const KNOWN_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);
const PaymentWebhookEvent = webhookEventSchema.meta({ id: 'PaymentWebhookEvent' });
/** Any other type: acknowledged and ignored, so a provider that adds event types is not answered with errors. */
const OtherWebhookEvent = z
  .looseObject({ id: z.string().min(1).max(255), type: z.string().min(1).max(255).refine((t) => !KNOWN_TYPES.has(t), 'a known type must have its known shape') })
  .meta({ id: 'OtherWebhookEvent', description: 'An event type the service does not act on: acknowledged (200) and ignored' });
const StripeEvent = z
  .looseObject({ id: z.string(), object: z.literal('event'), type: z.string(), created: z.number(), data: z.looseObject({ object: z.record(z.string(), z.unknown()) }) })
  .meta({ id: 'StripeEvent', description: 'A Stripe Event object (docs.stripe.com/api/events/object)' });

/**
 * Every delivery is kept in the webhook inbox, including the ones refused before a handler ran: a bad signature
 * (kept apart from verified events) or a verified body that fails the route's schema.
 */
function keepRefusedDeliveries(deps: Deps, provider: WebhookProvider): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (isRefusedRequest(err)) {
        const envelope = readEnvelope(ctx.request.body);
        const delivery = { provider, raw: ctx.request.rawBody ?? Buffer.alloc(0), eventId: envelope.id, eventType: envelope.type };
        const em = deps.orm.em.fork();
        // The auth scheme sets the principal once the signature verified.
        const record = ctx.state.principal ? recordMalformed(em, delivery) : recordUnverified(em, delivery);
        await record.catch((recordErr: unknown) => requestLogger(ctx, deps.logger).warn({ err: recordErr }, 'a refused webhook could not be kept in the inbox'));
      }
      throw err;
    }
  };
}

/** The 200 of both routes, and the one log line about it: ids and outcome, never the body (customer data). */
function acknowledge(ctx: Context, deps: Deps, receipt: WebhookReceipt) {
  ctx.state.webhookDelivery = receipt.duplicate ? 'duplicate' : receipt.outcome;
  ctx.state.webhookEventType = receipt.type;
  requestLogger(ctx, deps.logger).info({ eventId: receipt.eventId, type: receipt.type, delivery: receipt.outcome, duplicate: receipt.duplicate }, 'payment webhook received');
  return { received: true as const, ...(receipt.duplicate ? { duplicate: true as const } : {}) };
}

const INBOX =
  'Every delivery is stored in the webhook inbox. A redelivered event is answered 200 from it (`duplicate: true`); an ' +
  'event type the service does not act on is acknowledged (200) and stored as ignored; an order the service does not ' +
  'know (yet) is 404, so the provider retries.';

/**
 * Each webhook route belongs to one payment provider and is mounted only when that provider is configured
 * (PAYMENT_PROVIDER): a route nobody should call is a route nobody can call, whatever its secret (404 otherwise).
 */
export const WEBHOOK_ROUTE_PROVIDER: Readonly<Record<string, Config['PAYMENT_PROVIDER']>> = {
  '/webhooks/payments': 'simulator',
  '/webhooks/stripe': 'stripe',
};

/** Whether the route at `path` is served with this configuration: every route but the other providers' webhooks. */
export function isMountedWith(config: Pick<Config, 'PAYMENT_PROVIDER'>, path: string): boolean {
  const provider = WEBHOOK_ROUTE_PROVIDER[path];
  return provider === undefined || provider === config.PAYMENT_PROVIDER;
}

/** Called by payment providers; the signature is checked (auth) before the body is parsed. */
export const webhookRoutes = [
  defineRoute({
    method: 'post',
    path: '/webhooks/payments',
    operationId: 'receivePaymentWebhook',
    auth: 'paymentSignature',
    tags: ['webhooks'],
    summary: "The payment provider's webhook (the service's own format; the simulator's; PAYMENT_PROVIDER=simulator)",
    description: `Served only when PAYMENT_PROVIDER=simulator (404 otherwise). Verified with the Payment-Signature header, then handed to the order saga. ${INBOX}`,
    request: { body: z.union([PaymentWebhookEvent, OtherWebhookEvent]) },
    responses: { 200: json('Handled, ignored, or a redelivery of a handled event', webhookAckJsonSchema) },
    errors: ['not_found', 'service_unavailable'],
    middleware: (deps: Deps) => [countWebhooks(deps.metrics), keepRefusedDeliveries(deps, 'simulator')],
    handler: async ({ body }, ctx, deps: Deps) => acknowledge(ctx, deps, await receiveSimulatorDelivery(deps, ctx.request.rawBody ?? Buffer.alloc(0), body, (id) => logRequestAsAboutOrder(ctx, id))),
  }),

  defineRoute({
    method: 'post',
    path: '/webhooks/stripe',
    operationId: 'receiveStripeWebhook',
    auth: 'stripeSignature',
    tags: ['webhooks'],
    summary: "Stripe's webhook (PAYMENT_PROVIDER=stripe)",
    description:
      'Served only when PAYMENT_PROVIDER=stripe (404 otherwise). ' +
      'Stripe event deliveries, verified with the Stripe-Signature header (bad or stale: 400, as Stripe expects). ' +
      'payment_intent.succeeded, payment_intent.payment_failed, payment_intent.canceled, charge.refunded (in full) and ' +
      `refund failures (refund.failed, refund.updated, charge.refund.updated) reach the order saga. ${INBOX}`,
    request: { body: StripeEvent },
    responses: { 200: json('Handled, ignored, or a redelivery of a handled event', webhookAckJsonSchema) },
    errors: ['not_found', 'service_unavailable'],
    middleware: (deps: Deps) => [countWebhooks(deps.metrics), keepRefusedDeliveries(deps, 'stripe')],
    handler: async ({ principal }, ctx, deps: Deps) => acknowledge(ctx, deps, await receiveStripeDelivery(deps, ctx.request.rawBody ?? Buffer.alloc(0), principal.event, (id) => logRequestAsAboutOrder(ctx, id))),
  }),
];
