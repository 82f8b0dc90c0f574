import { z } from 'zod';
import { json } from '../../http/route';
import { maybeInjectOutage } from '../fault-injection';
import type { NotificationStore } from '../notifications';
import { answer, defineRoute } from '../route';
import { idempotencyHeaders, listByOrderQuery, notificationSchema, sendNotificationBody } from '../schemas';

export interface NotificationRoutesDeps {
  notifications: NotificationStore;
  /** SIM_NOTIFY_FAIL_RATE: how often POST /v1/notifications answers 503 without recording anything. */
  notifyFailRate: number;
  random: () => number;
}

/** The notification service: "sending" records the message, once per Idempotency-Key. */
export const notificationRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/notifications',
    operationId: 'sendNotification',
    auth: 'public',
    tags: ['notifications'],
    summary: 'Send (record) a customer notification',
    description:
      'The same Idempotency-Key answers the first notification again (`Idempotent-Replayed: true`) and sends nothing; ' +
      'with another body it is 409. SIM_NOTIFY_FAIL_RATE answers this share of requests 503 without recording anything.',
    request: { headers: idempotencyHeaders, body: sendNotificationBody },
    responses: { 202: json('Recorded (or the earlier one, on a replay)', notificationSchema) },
    errors: ['idempotency_key_reused', 'service_unavailable'],
    handler: ({ headers, body }, ctx, { notifications, notifyFailRate, random }: NotificationRoutesDeps) => {
      maybeInjectOutage(notifyFailRate, random, 'the notification service');
      const { notification, replayed } = notifications.send(body, headers['idempotency-key']);
      answer(ctx, 202, notification, replayed);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/notifications',
    operationId: 'listNotifications',
    auth: 'public',
    tags: ['notifications'],
    summary: 'Everything sent, oldest first; `orderId` keeps those whose data names that order',
    request: { query: listByOrderQuery },
    responses: { 200: json('Notifications', z.object({ items: z.array(notificationSchema) })) },
    handler: ({ query }, ctx, { notifications }: Pick<NotificationRoutesDeps, 'notifications'>) => answer(ctx, 200, { items: notifications.list(query.orderId) }),
  }),
];
