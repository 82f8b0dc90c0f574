import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config';
import { initOrm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { createMetricsRegistry } from '../src/metrics/registry';
import { createWebhookMetrics } from '../src/metrics/webhook-metrics';
import { createEndpoint } from '../src/outbox/endpoint-store';
import { startRelay } from '../src/outbox/relay';

/**
 * The relay's throughput leg: N status changes committed (each through the outbox trigger) for one endpoint on a
 * local receiver answering 204, then one relay delivers them; prints events/s and commit-to-first-attempt lag.
 * Usage: DATABASE_URL=<a migrated database> tsx bench/webhooks-relay.ts [events]
 */
async function main() {
  const events = Number(process.argv[2] ?? 3000);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const orm = await initOrm(config);
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const em = orm.em.fork();
  const { endpoint } = await createEndpoint(em, config.PAYLOAD_ENCRYPTION_KEYS, { url: `http://127.0.0.1:${port}/hook` });
  const conn = em.getConnection();
  // Orders inserted in batches of 500 (one event each), then each moved once: 2 events per order.
  const orders = Math.ceil(events / 2);
  for (let i = 0; i < orders; i += 500) {
    const ids = Array.from({ length: Math.min(500, orders - i) }, () => randomUUID());
    await conn.execute(
      `INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, request_fingerprint)
       SELECT id::uuid, 'bench-' || id, 'bench', 'bench@example.com', 'PENDING', '[]', 'fp' FROM unnest(?::text[]) AS id`,
      [`{${ids.join(',')}}`],
    );
    await conn.execute(`UPDATE orders SET status = 'RESERVED', status_seq = 1 WHERE id = ANY (?::uuid[])`, [`{${ids.join(',')}}`]);
  }
  const metrics = createWebhookMetrics(createMetricsRegistry('worker', { defaults: false }));
  const started = Date.now();
  const relay = startRelay({ orm, config: { ...config, WEBHOOK_RELAY_POLL_INTERVAL: 20 }, logger: createLogger('bench', 'warn'), metrics });
  const total = orders * 2;
  while (received < total && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 50));
  const seconds = (Date.now() - started) / 1000;
  await relay.stop();
  const lag = await metrics.lag.get();
  console.log(JSON.stringify({ events: total, received, seconds, eventsPerSecond: Math.round(received / seconds), lagCount: lag.values.find((v) => v.metricName?.endsWith('_count'))?.value }));
  await conn.execute(`DELETE FROM webhook_endpoints WHERE id = ?`, [endpoint.id]);
  await conn.execute(`DELETE FROM orders WHERE customer_id = 'bench'`);
  receiver.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
