import { randomUUID } from 'node:crypto';
import type { Orm } from '../../src/db/orm';
import { createMetricsRegistry } from '../../src/metrics/registry';
import { createWebhookMetrics } from '../../src/metrics/webhook-metrics';
import type { ClaimedMessage } from '../../src/outbox/message-store';
import type { RelayConfig } from '../../src/outbox/relay';
import { startRelay } from '../../src/outbox/relay';
import { sealSecret } from '../../src/outbox/secret-box';
import { DEV_ENCRYPTION_KEYS, parseEncryptionKeys } from '../../src/temporal/encryption-keys';
import type { EncryptionKey } from '../../src/temporal/encryption-codec';
import { newWebhookSecret } from '../../src/wire/standard-webhooks';
import { testLogger } from '../harness/env';
import { fakeEntityManager } from '../harness/fake-entity-manager';

const keys = parseEncryptionKeys(DEV_ENCRYPTION_KEYS) as EncryptionKey[];
const config: RelayConfig = {
  NODE_ENV: 'development',
  PAYLOAD_ENCRYPTION_KEYS: keys,
  TEMPORAL_UI_URL: 'http://localhost:8233',
  TEMPORAL_NAMESPACE: 'default',
  WEBHOOK_RETRY_SCHEDULE: [1000],
  WEBHOOK_ALLOW_PRIVATE: true,
  WEBHOOK_MESSAGE_RETENTION: 60_000,
  WEBHOOK_TIMEOUT: 1000,
  WEBHOOK_RELAY_POLL_INTERVAL: 60_000,
  WEBHOOK_RELAY_CONCURRENCY: 4,
} as RelayConfig;

/** A due message for `url`, as claimDueMessages returns it (one order each). */
function dueMessage(url: string): ClaimedMessage {
  const orderId = randomUUID();
  const now = new Date();
  return {
    id: randomUUID(),
    endpoint_id: `endpoint ${url}`,
    order_id: orderId,
    status: 'pending',
    attempts: [],
    attempt_count: 0,
    next_attempt_at: now,
    created_at: now,
    finished_at: null,
    event_uuid: randomUUID(),
    type: 'order.pending',
    occurred_at: now,
    url,
    secret_sealed: sealSecret(newWebhookSecret(), keys),
    previous_secret_sealed: null,
    previous_secret_until: null,
    order_seq: 1,
    order_snapshot: { id: orderId, workflow_id: `order-${orderId}`, status: 'PENDING', payment_status: 'not_requested', status_seq: 1, created_at: now, updated_at: now },
    data: null,
    history: [],
  } as unknown as ClaimedMessage;
}

/**
 * The relay's statements against a stand-in for the database: the claim answers `claimed` once, and the writes
 * (attempts recorded, leases released, endpoint disabled) are kept to be looked at.
 */
function fakeOrm(claimed: ClaimedMessage[]) {
  const writes = { attempts: [] as { id: string; status: string }[], released: [] as string[], disabled: [] as string[] };
  let claims = 0;
  const execute = async (sql: string, params: unknown[]) => {
    if (sql.includes('WITH due AS')) return claims++ === 0 ? claimed : [];
    if (sql.includes('jsonb_to_recordset')) writes.attempts.push(...(JSON.parse(params[0] as string) as { id: string; status: string }[]));
    else if (sql.includes('lease_until = NULL WHERE id = ANY')) writes.released.push(...(params[0] as string).slice(1, -1).split(',').map((id) => id.replace(/"/g, '')));
    else if (sql.includes('UPDATE webhook_endpoints')) writes.disabled.push(params[0] as string);
    return [];
  };
  const orm = { em: fakeEntityManager(execute) } as unknown as Orm;
  return { orm, writes };
}

// A round claims due messages for several endpoints and sends them side by side; an endpoint that answers 410 Gone
// must get no more than its first request of the round.
describe('the relay and a gone endpoint', () => {
  it('sends a gone endpoint one request in a round, holds the rest (lease released), and sends the others’ all', async () => {
    const gone = [1, 2, 3].map(() => dueMessage('http://gone.example/hook'));
    const fine = [1, 2, 3].map(() => dueMessage('http://fine.example/hook'));
    const { orm, writes } = fakeOrm([gone[0], fine[0], gone[1], fine[1], gone[2], fine[2]]);
    const sent: string[] = [];
    const relay = startRelay({
      orm,
      config,
      logger: testLogger(),
      metrics: createWebhookMetrics(createMetricsRegistry('worker', { defaults: false })),
      post: async (url) => {
        sent.push(url);
        await new Promise((r) => setTimeout(r, 5));
        return url.includes('gone') ? 410 : 204;
      },
    });
    for (let i = 0; i < 200 && writes.disabled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await relay.stop();

    expect(sent.filter((url) => url.includes('gone'))).toHaveLength(1);
    expect(sent.filter((url) => url.includes('fine'))).toHaveLength(3);
    expect(writes.attempts.map((a) => [a.id, a.status]).sort()).toEqual(
      [[gone[0].id, 'failed'], ...fine.map((m) => [m.id, 'delivered'])].sort(),
    );
    expect(writes.released.sort()).toEqual([gone[1].id, gone[2].id].sort());
    expect(writes.disabled).toEqual([gone[0].endpoint_id]);
  });

  it('an endpoint that answers its first request: the rest of its round go out side by side', async () => {
    const fine = [1, 2, 3, 4].map(() => dueMessage('http://fine.example/hook'));
    const { orm, writes } = fakeOrm(fine);
    let inFlight = 0;
    let most = 0;
    const relay = startRelay({
      orm,
      config,
      logger: testLogger(),
      metrics: createWebhookMetrics(createMetricsRegistry('worker', { defaults: false })),
      post: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return 200;
      },
    });
    for (let i = 0; i < 200 && writes.attempts.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    await relay.stop();
    expect(writes.attempts.map((a) => a.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(most).toBe(3);
    expect(writes.released).toEqual([]);
  });
});
