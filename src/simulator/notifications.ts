import type { NotificationRecord } from '../wire/notification-record';
import { IdempotencyStore, fingerprint } from './idempotency';
import { newId } from './ids';
import type { SendNotificationBody } from './schemas';

/**
 * The notification service: it "sends" by recording. One record per Idempotency-Key, so a retried send is never
 * a second e-mail to the customer.
 */
export class NotificationStore {
  private readonly records = new Map<string, NotificationRecord>();
  private readonly keys = new IdempotencyStore<string>();

  constructor(private readonly now: () => Date) {}

  send(body: SendNotificationBody, idempotencyKey: string): { notification: NotificationRecord; replayed: boolean } {
    const requestFingerprint = fingerprint(body);
    const existingId = this.keys.lookup(idempotencyKey, requestFingerprint);
    const existing = existingId === undefined ? undefined : this.records.get(existingId);
    if (existing) return { notification: copy(existing), replayed: true };

    const notification: NotificationRecord = {
      id: newId('ntf'),
      to: body.to,
      template: body.template,
      data: cloneJson(body.data),
      createdAt: this.now().toISOString(),
    };
    this.records.set(notification.id, notification);
    this.keys.remember(idempotencyKey, requestFingerprint, notification.id);
    return { notification: copy(notification), replayed: false };
  }

  /** Everything sent, oldest first; with `orderId`, only notifications whose data carries that order id. */
  list(orderId?: string): NotificationRecord[] {
    return [...this.records.values()].filter((n) => orderId === undefined || n.data.orderId === orderId).map(copy);
  }
}

function copy(n: NotificationRecord): NotificationRecord {
  return { ...n, data: cloneJson(n.data) };
}

/** data came from a JSON body, so a JSON round trip is a faithful deep copy. */
function cloneJson(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}
