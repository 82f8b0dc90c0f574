import Router from '@koa/router';
import type { Context } from 'koa';
import { requireAdmin } from '../api/admin-auth';
import { inflightGate } from '../api/inflight-gate';
import type { ApiDeps } from '../api/deps';
import { parseRequest } from '../api/validate';
import { encodeKeysetCursor } from '../db/keyset-cursor';
import { NotFoundError } from '../errors';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../payments/webhook-signature';
import { webhookEventSchema } from '../payments/webhook-event';
import { HttpError } from '../api/error-middleware';
import { requestLogger } from '../api/request-id';
import type { ApiMetrics } from '../metrics/api-metrics';
import { NotificationSchema } from './entities';
import { logRequestAsAboutOrder } from './log-fields';
import { cancelOrder, retryCompensation } from './order-commands';
import { findOrder, listOrders } from './order-queries';
import { toOrderJson } from './order-view';
import { deliverPaymentEvent } from './payment-webhooks';
import { PlacementRejected, placeOrder } from './placement';
import {
  cancelOrderBodySchema,
  listOrdersQuerySchema,
  notificationsQuerySchema,
  orderIdParamsSchema,
  placeOrderBodySchema,
  placeOrderHeadersSchema,
} from './request-schemas';
import { countPlacements, countWebhooks } from './route-metrics';

/** Path ids that are not UUIDs name no order: 404, like any other unknown id. */
function orderIdFrom(ctx: Context): string {
  const parsed = orderIdParamsSchema.safeParse(ctx.params);
  if (!parsed.success) throw new NotFoundError('order', String(ctx.params.id));
  const id = parsed.data.id.toLowerCase();
  logRequestAsAboutOrder(ctx, id);
  return id;
}

export function orderRoutes(deps: ApiDeps & { metrics: ApiMetrics }): Router {
  const router = new Router();
  const admin = requireAdmin(deps.config.ADMIN_TOKEN);
  const placements = { gate: inflightGate(deps.config.MAX_INFLIGHT_PLACEMENTS) };

  router.post('/orders', countPlacements(deps.metrics, deps.logger), async (ctx) => {
    const { 'idempotency-key': key } = parseRequest(placeOrderHeadersSchema, ctx.headers, 'headers');
    const body = parseRequest(placeOrderBodySchema, ctx.request.body, 'body');
    try {
      const request = { customerId: body.customerId, customerEmail: body.customerEmail, body, idempotencyKey: key };
      const { order, replayed, decided } = await placeOrder(deps, request, placements);
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = decided ? 201 : 202;
      ctx.set('Location', `/orders/${order.id}`);
      ctx.body = order;
    } catch (err) {
      if (err instanceof PlacementRejected) {
        // The rejected order is kept (REJECTED); say where, and whether this answer is a replay.
        ctx.set('Location', `/orders/${err.orderId}`);
        if (err.replayed) ctx.set('Idempotent-Replayed', 'true');
      }
      throw err;
    }
  });

  router.get('/orders', async (ctx) => {
    const query = parseRequest(listOrdersQuerySchema, ctx.query, 'query');
    const page = await listOrders(deps.orm.em.fork(), { customerId: query.customerId, status: query.status, limit: query.limit, after: query.cursor });
    ctx.body = {
      items: page.items.map(({ order, history }) => toOrderJson(order, history, deps.config)),
      nextCursor: page.more && page.last ? encodeKeysetCursor(page.last) : null,
    };
  });

  router.get('/orders/:id', async (ctx) => {
    const id = orderIdFrom(ctx);
    const found = await findOrder(deps.orm.em.fork(), id);
    if (!found) throw new NotFoundError('order', id);
    ctx.body = toOrderJson(found.order, found.history, deps.config);
  });

  router.post('/orders/:id/cancel', async (ctx) => {
    const id = orderIdFrom(ctx);
    const { reason } = parseRequest(cancelOrderBodySchema, ctx.request.body, 'body');
    ctx.body = await cancelOrder(deps, id, reason);
  });

  router.post('/webhooks/payments', countWebhooks(deps.metrics), async (ctx) => {
    const raw = ctx.request.rawBody ?? Buffer.alloc(0);
    const signature = ctx.get(WEBHOOK_SIGNATURE_HEADER) || undefined;
    if (!verifyWebhookSignature(deps.config.PAYMENT_WEBHOOK_SECRET, signature, raw, Math.floor(Date.now() / 1000))) {
      throw new HttpError(401, 'invalid_signature', 'the Payment-Signature header is missing, wrong or stale');
    }
    const event = parseRequest(webhookEventSchema, ctx.request.body, 'body');
    logRequestAsAboutOrder(ctx, event.data.orderId);
    const delivery = await deliverPaymentEvent(deps, event);
    ctx.state.webhookDelivery = delivery;
    requestLogger(ctx, deps.logger).info({ eventId: event.id, type: event.type, delivery }, 'payment webhook received');
    ctx.body = { received: true };
  });

  router.post('/admin/orders/:id/retry-compensation', admin, async (ctx) => {
    ctx.body = await retryCompensation(deps, orderIdFrom(ctx));
  });

  router.get('/admin/notifications', admin, async (ctx) => {
    const { status } = parseRequest(notificationsQuerySchema, ctx.query, 'query');
    const rows = await deps.orm.em.fork().find(NotificationSchema, status ? { status: status === 'failed' ? 'FAILED' : 'SENT' } : {}, {
      orderBy: { createdAt: 'desc' },
      limit: 500,
    });
    ctx.body = {
      items: rows.map((n) => ({
        id: n.id,
        orderId: n.orderId,
        kind: n.kind,
        recipient: n.recipient,
        status: n.status,
        attempts: n.attempts,
        lastError: n.lastError ?? null,
        createdAt: n.createdAt.toISOString(),
        updatedAt: n.updatedAt.toISOString(),
      })),
    };
  });

  return router;
}
