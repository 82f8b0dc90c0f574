import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startWebhookReceiver } from '../chaos/lib/webhook-receiver';
import { loadConfig } from '../src/config';
import { initOrm } from '../src/db/orm';
import { createEndpoint } from '../src/outbox/endpoint-store';

/**
 * What the outbox costs per event, in CPU-seconds: the relay's process, its PostgreSQL backends, and the backend
 * that commits the status changes (the trigger's share), with one endpoint subscribed to every event against none.
 * Status changes come at the saga's pace (RATE orders/s, 5 changes each, one transaction per change, as the saga
 * commits them); a relay runs in a child process as the worker runs it (default poll interval) and delivers over
 * https to a receiver in this process. CPU is read from /proc (utime + stime), so it holds on a shared machine
 * where throughput figures do not.
 * Usage: DATABASE_URL=<a migrated database> tsx bench/relay-cpu.ts [seconds=20] [orders/s=12]
 */
const STEPS = ['RESERVED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED'] as const;
const TICK = 100; // USER_HZ (getconf CLK_TCK) on Linux

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0; // gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const seconds = Number(process.argv[2] ?? 20);
  const rate = Number(process.argv[3] ?? 12);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const dbName = new URL(config.DATABASE_URL).pathname.slice(1);
  const receiver = await startWebhookReceiver();
  const orm = await initOrm(config);
  // A run that crashed left its endpoint behind: its messages would never drain.
  await orm.em.getConnection().execute(`DELETE FROM webhook_endpoints WHERE description = 'bench/relay-cpu'`);
  const { endpoint, secret } = await createEndpoint(orm.em.fork(), config.PAYLOAD_ENCRYPTION_KEYS, { url: receiver.url, description: 'bench/relay-cpu' });
  receiver.setSecret(secret);
  const gen = new Client({ connectionString: config.DATABASE_URL });
  await gen.connect();
  const genPid = (await gen.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

  const relay = spawn(process.execPath, [...(process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : []), '--import', 'tsx', path.join(__dirname, 'relay-cpu-child.ts')], {
    env: { ...process.env, ...receiver.stackEnv, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await sleep(4000);

  const items = JSON.stringify([{ productId: 'p-1', quantity: 2 }, { productId: 'p-2', quantity: 1 }]);
  const lines = JSON.stringify([
    { productId: 'p-1', name: 'Widget', quantity: 2, unitPriceCents: 1999 },
    { productId: 'p-2', name: 'Gadget', quantity: 1, unitPriceCents: 4999 },
  ]);
  const live: { id: string; step: number }[] = [];
  let changes = 0;
  async function tick() {
    const id = randomUUID();
    await gen.query(
      `WITH created AS (
         INSERT INTO orders (id, workflow_id, customer_id, customer_email, status, requested_items, request_fingerprint, trace_id)
         VALUES ($1::uuid, 'bench-' || $1::text, 'bench-relay-cpu', 'bench@example.com', 'PENDING', $2::jsonb, 'fp', md5($1::text)) RETURNING id)
       INSERT INTO order_history (order_id, seq, status) SELECT id, 0, 'PENDING' FROM created`,
      [id, items],
    );
    changes++;
    live.push({ id, step: 0 });
    for (const order of live.splice(0, live.length)) {
      if (order.id === id) {
        live.push(order);
        continue;
      }
      const status = STEPS[order.step];
      order.step++;
      await gen.query(
        `WITH h AS (INSERT INTO order_history (order_id, seq, status) VALUES ($1::uuid, $2::int, $3::text))
         UPDATE orders SET status = $3::text, status_seq = $2::int, lines = $4::jsonb, total_cents = 8997, currency = 'EUR', updated_at = now() WHERE id = $1::uuid`,
        [order.id, order.step, status, lines],
      );
      changes++;
      if (order.step < STEPS.length) live.push(order);
    }
  }

  async function backendPids(): Promise<number[]> {
    const { rows } = await gen.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
    return rows.map((r) => r.pid);
  }

  async function phase(enabled: boolean, measure: boolean) {
    await gen.query(`UPDATE webhook_endpoints SET status = $1 WHERE id = $2`, [enabled ? 'enabled' : 'disabled', endpoint.id]);
    const before = new Map((await backendPids()).map((pid) => [pid, cpuSeconds(pid)]));
    const relayBefore = cpuSeconds(relay.pid!);
    const genBefore = cpuSeconds(genPid);
    const receivedBefore = receiver.deliveries().length;
    const changesBefore = changes;
    const start = Date.now();
    let ticks = 0;
    while (Date.now() - start < seconds * 1000) {
      await tick();
      ticks++;
      const wait = start + (ticks * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
    }
    // Drain what is left and let the last round settle (the relay keeps polling meanwhile, as it would).
    for (let i = 0; i < 4 * rate && live.length; i++) await tick();
    while ((await gen.query(`SELECT count(*)::int AS n FROM webhook_messages WHERE status = 'pending' AND endpoint_id = $1`, [endpoint.id])).rows[0].n > 0) await sleep(100);
    await sleep(500);
    const elapsed = (Date.now() - start) / 1000;
    const others = (await backendPids()).filter((pid) => pid !== genPid);
    const relayPg = others.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0);
    const events = changes - changesBefore;
    const result = {
      endpoint: enabled ? 'one' : 'none',
      events,
      delivered: receiver.deliveries().length - receivedBefore,
      seconds: elapsed,
      msPerEvent: {
        relayProcess: (1000 * (cpuSeconds(relay.pid!) - relayBefore)) / events,
        relayPostgres: (1000 * relayPg) / events,
        triggerPostgres: (1000 * (cpuSeconds(genPid) - genBefore)) / events,
      },
    };
    if (measure) console.log(JSON.stringify(result));
    return result;
  }

  await phase(true, false); // warm-up
  const runs = Number(process.env.RUNS ?? 2);
  for (let i = 0; i < runs; i++) {
    await phase(false, true);
    await phase(true, true);
  }
  relay.kill('SIGTERM');
  const killer = setTimeout(() => relay.kill('SIGKILL'), 5000);
  await new Promise((r) => relay.once('exit', r));
  clearTimeout(killer);
  await gen.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
  await gen.query(`DELETE FROM webhook_events WHERE order_id IN (SELECT id FROM orders WHERE customer_id = 'bench-relay-cpu')`);
  await gen.query(`DELETE FROM order_history WHERE order_id IN (SELECT id FROM orders WHERE customer_id = 'bench-relay-cpu')`);
  await gen.query(`DELETE FROM orders WHERE customer_id = 'bench-relay-cpu'`);
  await gen.end();
  await orm.close();
  await receiver.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
