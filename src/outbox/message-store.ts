import type { EntityManager } from '@mikro-orm/postgresql';
import type { KeysetPosition } from '../db/keyset-cursor';
import { pgArray } from '../db/pg-array';
import { plainStatement } from '../db/plain-sql';
import type { EndpointRow } from './endpoint-store';

export type MessageStatus = 'pending' | 'delivered' | 'failed';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'delivered', 'failed'];

/** One delivery attempt, as the message's `attempts` list records it. */
export interface Attempt {
  at: string;
  /** The receiver's status code; null when no answer came (timeout, refused connection, refused address). */
  statusCode: number | null;
  durationMs: number;
  error?: string;
}

export interface MessageRow {
  id: string;
  endpoint_id: string;
  order_id: string;
  status: MessageStatus;
  attempts: Attempt[];
  attempt_count: number;
  next_attempt_at: Date;
  created_at: Date;
  finished_at: Date | null;
  event_uuid: string;
  type: string;
  occurred_at: Date;
}

/** A message the relay claimed: what it needs to build, sign and send the delivery. */
export interface ClaimedMessage extends MessageRow, Pick<EndpointRow, 'url' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_until'> {
  order_seq: number;
  order_snapshot: Record<string, unknown>;
  /** What an event carries besides the order (refund.created: `{ refund }`, as stored); null for status events. */
  data: Record<string, unknown> | null;
  /** The order's history up to this event's change (rows are immutable once written), oldest first. */
  history: HistoryRow[];
}

/** One `order_history` row as an event's body shows it (`at` as JSON gives it: an ISO 8601 string). */
export interface HistoryRow {
  seq: number;
  status: string;
  reason: string | null;
  at: string | Date;
}

export function toMessageJson(row: MessageRow) {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_uuid,
    orderId: row.order_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? new Date(row.next_attempt_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const MESSAGE_COLUMNS = `m.id, m.endpoint_id, m.order_id, m.status, m.attempts, m.attempt_count, m.next_attempt_at, m.created_at,
  m.finished_at, e.event_id AS event_uuid, e.type, e.occurred_at`;

export interface MessageFilter {
  endpointId?: string;
  status?: MessageStatus;
  after?: KeysetPosition;
  limit: number;
}

/** Messages newest first, one page (`limit + 1` rows read to tell whether another page follows). */
export async function listMessages(em: EntityManager, filter: MessageFilter): Promise<{ items: MessageRow[]; more: boolean }> {
  const rows = await em.getConnection().execute<MessageRow[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id
     WHERE (?::uuid IS NULL OR m.endpoint_id = ?::uuid) AND (?::text IS NULL OR m.status = ?)
       AND (?::timestamptz IS NULL OR (m.created_at, m.id) < (?::timestamptz, ?::uuid))
     ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
    [
      filter.endpointId ?? null,
      filter.endpointId ?? null,
      filter.status ?? null,
      filter.status ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.id ?? null,
      filter.limit + 1,
    ],
  );
  return { items: rows.slice(0, filter.limit), more: rows.length > filter.limit };
}

export async function findMessage(em: EntityManager, id: string): Promise<MessageRow | undefined> {
  const [row] = await em.getConnection().execute<MessageRow[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id WHERE m.id = ?`,
    [id],
  );
  return row;
}

/** Makes a message due now (whatever became of it), keeping its id and attempts: the relay sends it again. */
export async function retryMessage(em: EntityManager, id: string): Promise<MessageRow | undefined> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `UPDATE webhook_messages SET status = 'pending', next_attempt_at = now(), lease_until = NULL, finished_at = NULL WHERE id = ? RETURNING id`,
    [id],
  );
  return rows.length ? findMessage(em, id) : undefined;
}

/** New messages to the endpoint for every event since `since` that its filter takes; how many. */
export async function replaySince(em: EntityManager, endpointId: string, since: Date): Promise<number> {
  const rows = await em.getConnection().execute<{ count: string }[]>(
    `WITH created AS (
       INSERT INTO webhook_messages (event_id, endpoint_id, order_id)
       SELECT ev.id, ep.id, ev.order_id FROM webhook_events ev JOIN webhook_endpoints ep ON ep.id = ?
       WHERE ev.occurred_at >= ? AND (ep.events IS NULL OR ev.type = ANY (ep.events))
       ORDER BY ev.id
       RETURNING 1)
     SELECT count(*) AS count FROM created`,
    [endpointId, since],
  );
  return Number(rows[0].count);
}

/**
 * Claims up to `limit` due messages for `leaseMs`, each for one relay only: `FOR UPDATE SKIP LOCKED` keeps
 * concurrent claimers apart, the lease keeps the others off while this relay delivers outside any transaction (a
 * relay that dies mid-delivery loses its lease, and the message is claimed again). A message waits while an earlier
 * event of the same order is still pending for the same endpoint: each endpoint gets an order's events in order.
 * Each message comes with what its body needs (event, endpoint, the order's history), in this one round trip.
 */
export async function claimDueMessages(em: EntityManager, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  // Plain SQL: a named statement, planned once per connection instead of at every poll (0.5 ms each, most of its cost).
  return plainStatement<ClaimedMessage>(
    em,
    `WITH due AS (
       SELECT c.id FROM webhook_messages c JOIN webhook_endpoints ep ON ep.id = c.endpoint_id AND ep.status = 'enabled'
       WHERE c.status = 'pending' AND c.next_attempt_at <= now() AND (c.lease_until IS NULL OR c.lease_until < now())
         AND NOT EXISTS (
           SELECT 1 FROM webhook_messages p
           WHERE p.endpoint_id = c.endpoint_id AND p.order_id = c.order_id AND p.status = 'pending' AND p.event_id < c.event_id)
       ORDER BY c.next_attempt_at, c.event_id
       LIMIT ?
       FOR UPDATE OF c SKIP LOCKED),
     claimed AS (
       UPDATE webhook_messages m SET lease_until = now() + (? * interval '1 millisecond')
       FROM due WHERE m.id = due.id
       RETURNING m.*)
     SELECT m.id, m.endpoint_id, m.order_id, m.status, m.attempts, m.attempt_count, m.next_attempt_at, m.created_at, m.finished_at,
       e.event_id AS event_uuid, e.type, e.occurred_at, e.order_seq, e.order_snapshot, e.data,
       ep.url, ep.secret_sealed, ep.previous_secret_sealed, ep.previous_secret_until,
       (SELECT COALESCE(json_agg(json_build_object('seq', h.seq, 'status', h.status, 'reason', h.reason, 'at', h.at) ORDER BY h.seq), '[]')
        FROM order_history h WHERE h.order_id = m.order_id AND h.seq <= e.order_seq) AS history
     FROM claimed m JOIN webhook_events e ON e.id = m.event_id JOIN webhook_endpoints ep ON ep.id = m.endpoint_id
     ORDER BY m.event_id`,
    [limit, leaseMs],
  );
}

/** What became of one attempt: `delivered`, `failed`, or still pending with its next attempt `retryInMs` from now. */
export type AttemptOutcome = { status: 'delivered' | 'failed' } | { status: 'pending'; retryInMs: number };

/**
 * Records a round's attempts, each with its outcome, in one statement (one round trip, one commit, however many
 * messages the round delivered). The lease outlasts the round (its waves of attempts and a margin), so the relay that
 * claimed a message is the one writing; `status = 'pending'` keeps a message an operator's retry or a late relay
 * already finished as it is.
 */
export async function recordAttempts(em: EntityManager, results: { id: string; attempt: Attempt; outcome: AttemptOutcome }[]): Promise<void> {
  if (results.length === 0) return;
  const rows = results.map(({ id, attempt, outcome }) => ({
    id,
    attempt,
    status: outcome.status,
    retry_ms: outcome.status === 'pending' ? outcome.retryInMs : 0,
  }));
  await em.getConnection().execute(
    `UPDATE webhook_messages m SET
       attempts = m.attempts || jsonb_build_array(r.attempt), attempt_count = m.attempt_count + 1, status = r.status, lease_until = NULL,
       next_attempt_at = now() + (r.retry_ms * interval '1 millisecond'),
       finished_at = CASE WHEN r.status = 'pending' THEN NULL ELSE now() END
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, attempt jsonb, status text, retry_ms bigint)
     WHERE m.id = r.id AND m.status = 'pending'`,
    [JSON.stringify(rows)],
  );
}

/** Gives claimed messages back unattempted (their endpoint answered 410 in the round): claimable again at once. */
export async function releaseLeases(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.getConnection().execute(`UPDATE webhook_messages SET lease_until = NULL WHERE id = ANY (?::uuid[]) AND status = 'pending'`, [pgArray(ids)]);
}

/** Deletes delivered messages older than the retention, then events older than it that no message needs any more. */
export async function pruneDelivered(em: EntityManager, retentionMs: number): Promise<{ messages: number; events: number }> {
  const conn = em.getConnection();
  const messages = await conn.execute<{ id: string }[]>(
    `DELETE FROM webhook_messages WHERE status = 'delivered' AND finished_at < now() - (? * interval '1 millisecond') RETURNING id`,
    [retentionMs],
  );
  const events = await conn.execute<{ id: string }[]>(
    `DELETE FROM webhook_events ev WHERE ev.occurred_at < now() - (? * interval '1 millisecond')
       AND NOT EXISTS (SELECT 1 FROM webhook_messages m WHERE m.event_id = ev.id) RETURNING id`,
    [retentionMs],
  );
  return { messages: messages.length, events: events.length };
}
