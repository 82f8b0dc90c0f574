import type { Middleware } from 'koa';
import { HttpError, isRefusedRequest } from '../../http/errors';
import { requestLogger } from '../../http/request-id';
import { DomainError } from '../../errors';
import type { Logger } from '../../logger';
import type { ApiMetrics, PlacementResult, WebhookResult } from '../../metrics/api-metrics';
import { WEBHOOK_EVENT_TYPES } from '../../wire/webhook-event';
import type { Delivery } from '../../webhooks/deliver';
import { logRequestAsAboutOrder } from '../log-order';
import { PlacementRefused, PlacementRejected } from '../../orders/placement';

declare module 'koa' {
  interface DefaultState {
    /** What the webhook route did with a verified event; read by countWebhooks(). */
    webhookDelivery?: Delivery | 'duplicate' | 'not_ours';
    /** The saga's event type a provider's event was mapped to (Stripe's types are not the saga's). */
    webhookEventType?: string;
    /** The order `POST /orders` answered with, and whether the answer repeated an earlier one; read by countPlacements(). */
    placement?: { orderId: string; status: string; replayed: boolean; decided?: boolean };
  }
}

function placementResult(err: unknown): PlacementResult {
  if (err instanceof PlacementRejected) return err.replayed ? 'replayed' : 'rejected';
  if (err instanceof DomainError && err.code === 'idempotency_key_reused') return 'conflict';
  if (err instanceof PlacementRefused) return err.code === 'overloaded' ? 'shed' : 'limited';
  if ((err instanceof DomainError && err.code !== 'service_unavailable') || isRefusedRequest(err)) return 'invalid';
  return 'error';
}

/**
 * Wraps `POST /orders`: counts orders_placed_total{result} and logs the outcome; from then on the request's log lines
 * (the access log too) carry the order's id and workflow id.
 * Errors are rethrown untouched; the error middleware still answers them.
 */
export function countPlacements(metrics: Pick<ApiMetrics, 'ordersPlaced'>, logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      const placement = ctx.state.placement;
      if (!placement) throw new Error('POST /orders answered without recording its placement');
      const result: PlacementResult = placement.replayed ? 'replayed' : placement.decided === false ? 'deferred' : 'accepted';
      metrics.ordersPlaced.inc({ result });
      logRequestAsAboutOrder(ctx, placement.orderId);
      requestLogger(ctx, logger).info({ result, status: placement.status }, 'order placed');
    } catch (err) {
      const result = placementResult(err);
      metrics.ordersPlaced.inc({ result });
      if (err instanceof PlacementRejected) {
        logRequestAsAboutOrder(ctx, err.orderId);
        requestLogger(ctx, logger).info({ result, code: err.code }, 'order placement rejected');
      }
      throw err;
    }
  };
}

function webhookResult(err: unknown, notFound: WebhookResult): WebhookResult {
  if (err instanceof HttpError && (err.code === 'invalid_signature' || err.code === 'invalid_stripe_signature')) return 'invalid_signature';
  if (err instanceof HttpError && err.code === 'webhook_rejections_limited') return 'rejected_rate_limited';
  if (err instanceof DomainError && err.code === 'not_found') return notFound;
  if (isRefusedRequest(err)) return 'invalid';
  return 'error';
}

/**
 * Wraps a webhook route: counts webhooks_received_total{type,result}. The type label comes from the body only when
 * it is one of the route's known event types (`types`), so an attacker's body cannot mint new series; `notFound` is
 * the result of a 404 (what the event names is not known: an order, or the carrier's tracking number).
 */
export function countWebhooks(
  metrics: Pick<ApiMetrics, 'webhooksReceived'>,
  { types = WEBHOOK_EVENT_TYPES, notFound = 'unknown_order' }: { types?: readonly string[]; notFound?: WebhookResult } = {},
): Middleware {
  const known = new Set<string>(types);
  return async (ctx, next) => {
    const typeOf = () => {
      const type = ctx.state.webhookEventType ?? (ctx.request.body as { type?: unknown } | undefined)?.type;
      return typeof type === 'string' && known.has(type) ? type : 'unknown';
    };
    try {
      await next();
      metrics.webhooksReceived.inc({ type: typeOf(), result: ctx.state.webhookDelivery ?? 'ignored' });
    } catch (err) {
      metrics.webhooksReceived.inc({ type: typeOf(), result: webhookResult(err, notFound) });
      throw err;
    }
  };
}
