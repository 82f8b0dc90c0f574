import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Config } from '../../config';
import { HttpError, isRefusedRequest } from '../../http/errors';
import { requestLogger } from '../../http/request-id';
import { json } from '../../http/route';
import type { ApiMetrics } from '../../metrics/api-metrics';
import { webhookAckJsonSchema } from '../../orders/response-schemas';
import type { PaymentEventDeps } from '../../webhooks/deliver';
import type { WebhookProvider, WebhookReceipt } from '../../webhooks/inbox';
import { readEnvelope, recordMalformed } from '../../webhooks/inbox';
import type { RejectionLimiter, WebhookRoute } from '../../webhooks/rejections';
import { recordRejection } from '../../webhooks/rejections';
import { receiveCarrierDelivery } from '../../webhooks/carrier-receive';
import { receiveSimulatorDelivery } from '../../webhooks/simulator-receive';
import { receiveStripeDelivery } from '../../webhooks/stripe-receive';
import { CARRIER_EVENT_TYPES, carrierEventSchema } from '../../wire/carrier-event';
import { WEBHOOK_EVENT_TYPES, webhookEventSchema } from '../../wire/webhook-event';
import { logRequestAsAboutOrder } from '../log-order';
import { defineRoute } from '../route';
import { countWebhooks } from './outcome-metrics';

/** What receiving a webhook uses: delivery to the saga, the inbox's database and the webhook counters. */
type Deps = PaymentEventDeps & { metrics: Pick<ApiMetrics, 'webhooksReceived'>; rejectedWebhooks: RejectionLimiter };

const KNOWN_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);
const PaymentWebhookEvent = webhookEventSchema.meta({ id: 'PaymentWebhookEvent' });
/** Any other type: acknowledged and ignored, so a provider that adds event types is not answered with errors. */
const OtherWebhookEvent = z
  .looseObject({ id: z.string().min(1).max(255), type: z.string().min(1).max(255).refine((t) => !KNOWN_TYPES.has(t), 'a known type must have its known shape') })
  .meta({ id: 'OtherWebhookEvent', description: 'An event type the service does not act on: acknowledged (200) and ignored' });
const CARRIER_TYPES = new Set<string>(CARRIER_EVENT_TYPES);
const CarrierWebhookEvent = carrierEventSchema.meta({ id: 'CarrierWebhookEvent' });
const OtherCarrierEvent = z
  .looseObject({ id: z.string().min(1).max(255), type: z.string().min(1).max(255).refine((t) => !CARRIER_TYPES.has(t), 'a known type must have its known shape') })
  .meta({ id: 'OtherCarrierEvent', description: 'A carrier event type the service does not act on: acknowledged (200) and ignored' });
const StripeEvent = z
  .looseObject({ id: z.string(), object: z.literal('event'), type: z.string(), created: z.number(), data: z.looseObject({ object: z.record(z.string(), z.unknown()) }) })
  .meta({ id: 'StripeEvent', description: 'A Stripe Event object (docs.stripe.com/api/events/object)' });

/**
 * A delivery refused before a handler ran is kept: a verified one whose body fails the route's schema in the inbox,
 * one whose signature failed in the bounded rejections ring (time, route, size, digest, reason; never the body).
 * A source past WEBHOOK_REJECTIONS_PER_MINUTE rejected deliveries gets 429 instead, and nothing is written.
 */
function keepRefusedDeliveries(deps: Deps, provider: WebhookProvider, route: WebhookRoute): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!isRefusedRequest(err)) throw err;
      const raw = ctx.request.rawBody ?? Buffer.alloc(0);
      const em = deps.orm.em.fork();
      // The auth scheme sets the principal once the signature verified.
      const verified = ctx.state.principal !== undefined;
      if (!verified) {
        const retryAfter = deps.rejectedWebhooks.overLimit(ctx.ip);
        if (retryAfter !== undefined) {
          ctx.set('Retry-After', String(retryAfter));
          throw new HttpError(429, 'webhook_rejections_limited', 'too many deliveries with a bad signature from this address; retry later');
        }
      }
      const envelope = readEnvelope(ctx.request.body);
      const record = verified
        ? recordMalformed(em, { provider, raw, eventId: envelope.id, eventType: envelope.type })
        : recordRejection(em, { route, raw, reason: err instanceof HttpError ? err.code : 'invalid_signature' });
      await record.catch((recordErr: unknown) => requestLogger(ctx, deps.logger).warn({ err: recordErr }, 'a refused webhook could not be recorded'));
      throw err;
    }
  };
}

/** The 200 of every webhook route, and the one log line about it: ids and outcome, never the body (customer data). */
function acknowledge(ctx: Context, deps: Deps, receipt: WebhookReceipt, sender: 'payment' | 'carrier' = 'payment') {
  ctx.state.webhookDelivery = receipt.duplicate ? 'duplicate' : receipt.notOurs ? 'not_ours' : receipt.outcome;
  ctx.state.webhookEventType = receipt.type;
  requestLogger(ctx, deps.logger).info({ eventId: receipt.eventId, type: receipt.type, delivery: receipt.outcome, duplicate: receipt.duplicate }, `${sender} webhook received`);
  return { received: true as const, ...(receipt.duplicate ? { duplicate: true as const } : {}) };
}

const INBOX =
  'Every verified delivery is stored in the webhook inbox (kept WEBHOOK_EVENT_RETENTION, 30 days). A redelivered event ' +
  'is answered 200 from it (`duplicate: true`); an event type the service does not act on is acknowledged (200) and ' +
  'stored as ignored. A delivery whose signature fails keeps only its time, size, digest and reason, in a bounded ' +
  'table; past WEBHOOK_REJECTIONS_PER_MINUTE of those from one address, 429 `webhook_rejections_limited`.';

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

/** Called by payment providers and the carrier; the signature is checked (auth) before the body is parsed. */
export const webhookRoutes = [
  defineRoute({
    method: 'post',
    path: '/webhooks/payments',
    operationId: 'receivePaymentWebhook',
    auth: 'paymentSignature',
    tags: ['webhooks'],
    summary: "The payment provider's webhook (the service's own format; the simulator's; PAYMENT_PROVIDER=simulator)",
    description: `Served only when PAYMENT_PROVIDER=simulator (404 otherwise). Verified with the Payment-Signature header, then handed to the order saga. ${INBOX} An order the service does not know (yet) is 404, so the provider retries.`,
    request: { body: z.union([PaymentWebhookEvent, OtherWebhookEvent]) },
    responses: { 200: json('Handled, ignored, or a redelivery of a handled event', webhookAckJsonSchema) },
    errors: ['not_found', 'service_unavailable', 'webhook_rejections_limited'],
    middleware: (deps: Deps) => [countWebhooks(deps.metrics), keepRefusedDeliveries(deps, 'simulator', '/webhooks/payments')],
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
      `refund failures (refund.failed, refund.updated, charge.refund.updated) reach the order saga. ${INBOX} An event about ` +
      'an order the service does not know belongs to someone else on the Stripe account: acknowledged (200) and ignored.',
    request: { body: StripeEvent },
    responses: { 200: json('Handled, ignored, or a redelivery of a handled event', webhookAckJsonSchema) },
    errors: ['service_unavailable', 'webhook_rejections_limited'],
    middleware: (deps: Deps) => [countWebhooks(deps.metrics), keepRefusedDeliveries(deps, 'stripe', '/webhooks/stripe')],
    handler: async ({ principal }, ctx, deps: Deps) => acknowledge(ctx, deps, await receiveStripeDelivery(deps, ctx.request.rawBody ?? Buffer.alloc(0), principal.event, (id) => logRequestAsAboutOrder(ctx, id))),
  }),

  defineRoute({
    method: 'post',
    path: '/webhooks/carrier',
    operationId: 'receiveCarrierWebhook',
    auth: 'carrierSignature',
    tags: ['webhooks'],
    summary: "The carrier's webhook: a shipment in transit, or delivered (the simulator's carrier)",
    description:
      'Called by the carrier only: verified with the Payment-Signature header signed with CARRIER_WEBHOOK_SECRET ' +
      "(missing, wrong or stale: 401), then handed to the shipment's order saga (`order-{orderId}`, signal " +
      '`shipmentEvent`). The shipment is found by `data.trackingNumber`; one not known (yet) is 404, so the carrier ' +
      'retries (the service records a shipment once the carrier has answered its tracking number, and a quick carrier ' +
      `may report before that). An event for an order whose saga has ended is acknowledged (200) and ignored. ${INBOX} ` +
      'Carrier event ids are kept apart from the payment providers\'.',
    request: { body: z.union([CarrierWebhookEvent, OtherCarrierEvent]) },
    responses: { 200: json('Handled, ignored, or a redelivery of a handled event', webhookAckJsonSchema) },
    errors: ['not_found', 'service_unavailable', 'webhook_rejections_limited'],
    middleware: (deps: Deps) => [
      countWebhooks(deps.metrics, { types: CARRIER_EVENT_TYPES, notFound: 'unknown_shipment' }),
      keepRefusedDeliveries(deps, 'carrier', '/webhooks/carrier'),
    ],
    handler: async ({ body }, ctx, deps: Deps) =>
      acknowledge(ctx, deps, await receiveCarrierDelivery(deps, ctx.request.rawBody ?? Buffer.alloc(0), body, (id) => logRequestAsAboutOrder(ctx, id)), 'carrier'),
  }),
];
