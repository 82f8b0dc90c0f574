import type { NotificationRecord } from '../wire/notification-record';
import { notificationRecordSchema } from '../wire/notification-record';
import type { HttpClientOptions, ProviderErrorInit } from './http-json';
import { JsonHttpClient, ProviderHttpError } from './http-json';

/** The saga's view of the notification service (e-mail/SMS sender); the HTTP implementation talks to the simulator. */

export interface SendNotificationInput {
  to: string;
  template: string;
  /** Template variables; an `orderId` here lets the notifications be listed per order. */
  data: Record<string, unknown>;
  /** Sending the same key again does not send a second notification. */
  idempotencyKey: string;
}

export interface Notifier {
  send(input: SendNotificationInput): Promise<{ id: string }>;
  list(orderId: string): Promise<NotificationRecord[]>;
}

export class NotifierError extends ProviderHttpError {
  constructor(init: ProviderErrorInit) {
    super(init);
    this.name = 'NotifierError';
  }
}

export class HttpNotifier implements Notifier {
  private readonly http: JsonHttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttpClient('notifier', options, (init) => new NotifierError(init));
  }

  async send({ idempotencyKey, ...body }: SendNotificationInput): Promise<{ id: string }> {
    const record = await this.http.request({
      method: 'POST',
      path: '/v1/notifications',
      headers: { 'idempotency-key': idempotencyKey },
      body,
      response: notificationRecordSchema,
    });
    return { id: record.id };
  }

  list(orderId: string): Promise<NotificationRecord[]> {
    return this.http.listByOrder('/v1/notifications', orderId, notificationRecordSchema);
  }
}
