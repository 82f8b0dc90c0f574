import type { EntityManager } from '@mikro-orm/postgresql';
import { plainStatement } from '../db/plain-sql';

export interface NotificationOutcome {
  orderId: string;
  kind: string;
  idempotencyKey: string;
  recipient: string;
  attempt: number;
  status: 'SENT' | 'FAILED';
  error?: string;
  providerNotificationId?: string;
}

/** Records what became of a notification, once per idempotency key (a later attempt updates the same row). */
export async function recordNotification(em: EntityManager, outcome: NotificationOutcome): Promise<void> {
  await plainStatement(
    em,
    `INSERT INTO notifications (order_id, kind, idempotency_key, recipient, status, attempts, last_error, provider_notification_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO UPDATE SET
       status = EXCLUDED.status, attempts = GREATEST(notifications.attempts, EXCLUDED.attempts),
       last_error = COALESCE(EXCLUDED.last_error, notifications.last_error),
       provider_notification_id = COALESCE(EXCLUDED.provider_notification_id, notifications.provider_notification_id),
       updated_at = now()`,
    [
      outcome.orderId,
      outcome.kind,
      outcome.idempotencyKey,
      outcome.recipient,
      outcome.status,
      outcome.attempt,
      outcome.error ?? null,
      outcome.providerNotificationId ?? null,
    ],
  );
}
