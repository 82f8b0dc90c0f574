import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The webhook routes, by path: what a rejected delivery records as its route. */
export type WebhookRoute = '/webhooks/payments' | '/webhooks/stripe' | '/webhooks/carrier';

/** How many rejected deliveries are kept: the ring's size (a few hundred KB at most, whatever arrives). */
export const WEBHOOK_REJECTIONS_KEPT = 1000;

export interface RejectedDelivery {
  route: WebhookRoute;
  raw: Buffer;
  /** Why it was refused: the error code it was answered with. */
  reason: string;
}

/**
 * Records a delivery whose signature failed: its time, route, size, the SHA-256 of its body and the reason, never
 * the body itself (anyone can send one). One row of a fixed ring is overwritten, so the table stays bounded.
 */
export async function recordRejection(em: EntityManager, delivery: RejectedDelivery): Promise<void> {
  await em.getConnection().execute(
    `INSERT INTO webhook_rejections (slot, received_at, route, size_bytes, body_sha256, reason)
     VALUES (nextval('webhook_rejections_seq') % ${WEBHOOK_REJECTIONS_KEPT}, now(), ?, ?, ?, ?)
     ON CONFLICT (slot) DO UPDATE SET received_at = excluded.received_at, route = excluded.route,
       size_bytes = excluded.size_bytes, body_sha256 = excluded.body_sha256, reason = excluded.reason`,
    [delivery.route, delivery.raw.length, createHash('sha256').update(delivery.raw).digest('hex'), delivery.reason],
  );
}

/**
 * How many rejected deliveries each source (client address) may send per minute; past that, its rejected
 * deliveries are answered 429 and not recorded. Verified deliveries are never counted or refused here, so a real
 * provider sharing an address with a forger is not locked out. Per API process, in memory, bounded in size.
 */
export interface RejectionLimiter {
  /** Counts one rejected delivery from `source`; the seconds to wait when it is over the allowance, else undefined. */
  overLimit(source: string): number | undefined;
}

const WINDOW_MS = 60_000;
/** Sources remembered at most; the oldest window is forgotten first (an attacker with many addresses gains nothing). */
const MAX_SOURCES = 10_000;

export function rejectionLimiter(perMinute: number, now: () => number = Date.now): RejectionLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    overLimit(source) {
      const at = now();
      let window = windows.get(source);
      if (!window || at - window.start >= WINDOW_MS) {
        windows.delete(source);
        if (windows.size >= MAX_SOURCES) windows.delete(windows.keys().next().value!);
        window = { start: at, count: 0 };
        windows.set(source, window);
      }
      window.count++;
      return window.count > perMinute ? Math.max(1, Math.ceil((window.start + WINDOW_MS - at) / 1000)) : undefined;
    },
  };
}
