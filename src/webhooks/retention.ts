import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';

/** Rows deleted per statement: short statements, so the retention never holds locks the webhook routes wait on. */
const BATCH = 1000;

/**
 * Deletes what the webhook tables keep longer than `retentionMs` (WEBHOOK_EVENT_RETENTION): verified events of the
 * inbox (a provider stops redelivering after days; Stripe after 3) and old rows of the rejections ring, plus any
 * unverified delivery an older version kept in the inbox. Returns how many inbox rows went.
 */
export async function pruneWebhookTables(em: EntityManager, retentionMs: number): Promise<number> {
  const connection = em.getConnection();
  const cutoff = new Date(Date.now() - retentionMs);
  let deleted = 0;
  for (;;) {
    const rows = await connection.execute<{ id: string }[]>(
      `DELETE FROM payment_webhook_events WHERE id IN (
         SELECT id FROM payment_webhook_events WHERE received_at < ? OR NOT signature_valid LIMIT ${BATCH})
       RETURNING id`,
      [cutoff],
    );
    deleted += rows.length;
    if (rows.length < BATCH) break;
  }
  await connection.execute(`DELETE FROM webhook_rejections WHERE received_at < ?`, [cutoff]);
  return deleted;
}

/** How often the API prunes. Deleting is idempotent, so every API process may run it. */
const EVERY_MS = 60 * 60_000;

/**
 * Runs pruneWebhookTables a minute after start and then hourly, in the background of the API process; a failure is
 * logged and retried at the next run. Returns a stop function.
 */
export function startWebhookRetention(deps: { em: () => EntityManager; retentionMs: number; logger: Logger }): () => void {
  const run = () => {
    pruneWebhookTables(deps.em(), deps.retentionMs).then(
      (deleted) => deleted > 0 && deps.logger.info({ deleted }, 'webhook inbox: events past WEBHOOK_EVENT_RETENTION deleted'),
      (err: unknown) => deps.logger.warn({ err }, 'webhook retention failed; retrying at the next run'),
    );
  };
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, EVERY_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
