import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { EncryptionKey } from '../temporal/encryption-codec';
import { newWebhookSecret } from '../wire/standard-webhooks';
import { pgArray } from '../db/pg-array';
import { openSecret, sealSecret } from './secret-box';

/** A subscriber's endpoint as stored (`webhook_endpoints`). */
export interface EndpointRow {
  id: string;
  url: string;
  events: string[] | null;
  description: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface EndpointInput {
  url: string;
  events?: string[] | null;
  description?: string | null;
}

export interface EndpointChange {
  url?: string;
  events?: string[] | null;
  description?: string | null;
  status?: 'enabled' | 'disabled';
}

/** The endpoint as operators see it: never its secret (shown once, by create and rotate-secret). */
export function toEndpointJson(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    status: row.status,
    ...(row.disabled_reason ? { disabledReason: row.disabled_reason } : {}),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function signingSecrets(row: Pick<EndpointRow, 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_until'>, keys: readonly EncryptionKey[], now = new Date()): string[] {
  const secrets = [openSecret(row.secret_sealed, keys)];
  if (row.previous_secret_sealed && row.previous_secret_until && new Date(row.previous_secret_until) > now) {
    secrets.push(openSecret(row.previous_secret_sealed, keys));
  }
  return secrets;
}

export async function createEndpoint(em: EntityManager, keys: readonly EncryptionKey[], input: EndpointInput): Promise<{ endpoint: EndpointRow; secret: string }> {
  const secret = newWebhookSecret();
  const [endpoint] = await em.getConnection().execute<EndpointRow[]>(
    `INSERT INTO webhook_endpoints (id, url, events, description, secret_sealed) VALUES (?, ?, ?::text[], ?, ?) RETURNING *`,
    [randomUUID(), input.url, input.events ? pgArray(input.events) : null, input.description ?? null, sealSecret(secret, keys)],
  );
  return { endpoint, secret };
}

export async function listEndpoints(em: EntityManager): Promise<EndpointRow[]> {
  return em.getConnection().execute<EndpointRow[]>(`SELECT * FROM webhook_endpoints ORDER BY created_at, id LIMIT 1000`);
}

export async function findEndpoint(em: EntityManager, id: string): Promise<EndpointRow | undefined> {
  const [row] = await em.getConnection().execute<EndpointRow[]>(`SELECT * FROM webhook_endpoints WHERE id = ?`, [id]);
  return row;
}

/** Applies the fields given; enabling clears the reason it was disabled for. */
export async function updateEndpoint(em: EntityManager, id: string, change: EndpointChange): Promise<EndpointRow | undefined> {
  const [row] = await em.getConnection().execute<EndpointRow[]>(
    `UPDATE webhook_endpoints SET
       url = CASE WHEN ? THEN ? ELSE url END,
       events = CASE WHEN ? THEN ?::text[] ELSE events END,
       description = CASE WHEN ? THEN ? ELSE description END,
       status = COALESCE(?, status),
       disabled_reason = CASE WHEN ? IS NOT NULL THEN (CASE WHEN ? = 'disabled' THEN 'operator' END) ELSE disabled_reason END,
       updated_at = now()
     WHERE id = ? RETURNING *`,
    [
      change.url !== undefined,
      change.url ?? null,
      change.events !== undefined,
      change.events ? pgArray(change.events) : null,
      change.description !== undefined,
      change.description ?? null,
      change.status ?? null,
      change.status ?? null,
      change.status ?? null,
      id,
    ],
  );
  return row;
}

export async function deleteEndpoint(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: string }[]>(`DELETE FROM webhook_endpoints WHERE id = ? RETURNING id`, [id]);
  return rows.length > 0;
}

/** A new secret; the current one keeps signing beside it for `overlapMs`. */
export async function rotateSecret(em: EntityManager, keys: readonly EncryptionKey[], id: string, overlapMs: number): Promise<{ endpoint: EndpointRow; secret: string } | undefined> {
  const secret = newWebhookSecret();
  const [endpoint] = await em.getConnection().execute<EndpointRow[]>(
    `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = ?,
       previous_secret_until = now() + (? * interval '1 millisecond'), updated_at = now()
     WHERE id = ? RETURNING *`,
    [sealSecret(secret, keys), overlapMs, id],
  );
  return endpoint ? { endpoint, secret } : undefined;
}

/** A receiver answered 410 Gone: nothing more is sent to it until an operator enables it again. */
export async function disableGoneEndpoint(em: EntityManager, id: string): Promise<void> {
  await em.getConnection().execute(
    `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'gone', updated_at = now() WHERE id = ? AND status = 'enabled'`,
    [id],
  );
}
