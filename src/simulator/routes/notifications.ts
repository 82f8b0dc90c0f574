import { z } from 'zod';
import { maybeInjectOutage } from '../fault-injection';
import type { AnySimulatorRoute } from '../http/route';
import { answer, json, simulatorRoute } from '../http/route';
import type { NotificationStore } from '../notifications';
import { idempotencyHeaders, listByOrderQuery, notificationSchema, sendNotificationBody } from '../schemas';

export interface NotificationRoutesDeps {
  notifications: NotificationStore;
  /** SIM_NOTIFY_FAIL_RATE: how often POST /v1/notifications answers 503 without recording anything. */
  notifyFailRate: number;
  random: () => number;
}

/** The notification service: "sending" records the message, once per Idempotency-Key. */
export function notificationRoutes({ notifications, notifyFailRate, random }: NotificationRoutesDeps): AnySimulatorRoute[] {
  return [
    simulatorRoute({
      method: 'post',
      path: '/v1/notifications',
      operationId: 'sendNotification',
      tag: 'notifications',
      summary: 'Send (record) a customer notification',
      description:
        'The same Idempotency-Key answers the first notification again (`Idempotent-Replayed: true`) and sends nothing; ' +
        'with another body it is 409. SIM_NOTIFY_FAIL_RATE answers this share of requests 503 without recording anything.',
      headers: idempotencyHeaders,
      body: sendNotificationBody,
      responses: { 202: json('Recorded (or the earlier one, on a replay)', notificationSchema) },
      errors: ['idempotency_key_reused', 'service_unavailable'],
      handler: (ctx, { headers, body }) => {
        maybeInjectOutage(notifyFailRate, random, 'the notification service');
        const { notification, replayed } = notifications.send(body, headers['idempotency-key']);
        answer(ctx, 202, notification, replayed);
      },
    }),
    simulatorRoute({
      method: 'get',
      path: '/v1/notifications',
      operationId: 'listNotifications',
      tag: 'notifications',
      summary: 'Everything sent, oldest first; `orderId` keeps those whose data names that order',
      query: listByOrderQuery,
      responses: { 200: json('Notifications', z.object({ items: z.array(notificationSchema) })) },
      handler: (ctx, { query }) => answer(ctx, 200, { items: notifications.list(query.orderId) }),
    }),
  ];
}
