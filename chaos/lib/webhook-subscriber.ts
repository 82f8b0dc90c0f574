import { Client as PgClient } from 'pg';
import { exchange, sleep } from './http';
import type { WebhookReceiver } from './webhook-receiver';

/**
 * Subscribes a receiver in the driver (webhook-receiver.ts) to every event through the operators' API, and gives it
 * the endpoint's secret so that it verifies each delivery.
 */
export async function subscribeReceiver(apiUrl: string, adminToken: string, receiver: WebhookReceiver, description: string): Promise<{ endpointId: string }> {
  const endpoint = await exchange(`${apiUrl}/admin/webhook-endpoints`, { headers: { authorization: `Bearer ${adminToken}` }, body: { url: receiver.url, description } });
  if (!endpoint.ok || endpoint.status !== 201) throw new Error(`subscribing the receiver failed: ${JSON.stringify(endpoint)}`);
  receiver.setSecret(String(endpoint.body.secret));
  return { endpointId: String(endpoint.body.id) };
}

/** Waits until the outbox has no pending message (the relays delivered everything), or the deadline; what is left. */
export async function waitUntilDelivered(databaseUrl: string, deadline: number, log: (m: string) => void): Promise<number> {
  let pending = -1;
  let lastReport = 0;
  while (Date.now() < deadline) {
    const db = new PgClient({ connectionString: databaseUrl });
    try {
      await db.connect();
      pending = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_messages WHERE status = 'pending'`)).rows[0].n;
    } catch {
      /* try again */
    } finally {
      await db.end().catch(() => undefined);
    }
    if (pending === 0) return 0;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${pending} webhook message(s) still pending`);
    }
    await sleep(1000);
  }
  log(`gave up waiting for ${pending} pending webhook message(s)`);
  return pending;
}
