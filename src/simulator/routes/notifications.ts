import Router from '@koa/router';
import { parseRequest } from '../../api/validate';
import { maybeInjectOutage } from '../fault-injection';
import type { NotificationStore } from '../notifications';
import { listByOrderQuery, sendNotificationBody } from '../schemas';
import { answer, idempotencyKeyOf } from './request';

export interface NotificationRoutesDeps {
  notifications: NotificationStore;
  /** SIM_NOTIFY_FAIL_RATE: how often POST /v1/notifications answers 503 without recording anything. */
  notifyFailRate: number;
  random: () => number;
}

export function notificationRoutes({ notifications, notifyFailRate, random }: NotificationRoutesDeps): Router {
  const router = new Router({ prefix: '/v1/notifications' });

  router.post('/', (ctx) => {
    const key = idempotencyKeyOf(ctx);
    const body = parseRequest(sendNotificationBody, ctx.request.body, 'body');
    maybeInjectOutage(notifyFailRate, random, 'the notification service');
    const { notification, replayed } = notifications.send(body, key);
    answer(ctx, 202, notification, replayed);
  });

  router.get('/', (ctx) => {
    const { orderId } = parseRequest(listByOrderQuery, ctx.query, 'query');
    answer(ctx, 200, { items: notifications.list(orderId) });
  });

  return router;
}
