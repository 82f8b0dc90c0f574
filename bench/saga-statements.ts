/**
 * The database's cost of one paid order's statements, without Temporal, the API or the provider: the statements the
 * saga's activities send for an order that is placed, paid and completed (order record, reservation, RESERVED,
 * AWAITING_PAYMENT, PAID with the stock commit, the confirmation's record, COMPLETED), run by C loops
 * for a fixed time on a fresh database. Prints orders/s and CPU-seconds per order of PostgreSQL (the database's
 * backends and the server's shared writers, as `npm run bench` counts it) and of this process (the pg driver's side). For comparing ways of sending the same statements, e.g. named prepared
 * statements (DATABASE_PREPARED_STATEMENTS=on, the default) against unnamed ones (off); `--prepared on,off` runs
 * both, alternating, `--runs` times each:
 *
 *   npm run bench:statements -- [--prepared on,off] [--runs 2] [--concurrency 4] [--seconds 20]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commitStockAlongside, reserveStock } from '../src/catalog/stock';
import { initOrm } from '../src/db/orm';
import { prepareDatabase } from '../devtools/launcher/database';
import { recordNotification } from '../src/orders/notification-store';
import { insertOrder, recordStatus } from '../src/orders/order-store';
import { plainQuery, plainSqlEm } from '../src/db/plain-sql';
import { CpuSnapshot, postgresPids } from './lib/proc';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    database: { type: 'string', default: 'order_saga_statements' },
    products: { type: 'string', default: '20' },
    prepared: { type: 'string', default: 'on,off' },
    runs: { type: 'string', default: '2' },
  },
});
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/order_saga';
const databaseUrl = base.replace(/\/[^/]*$/, `/${values.database}`);

/** The benchmark database's backends and the server's shared writers (WAL writer, checkpointer, background writer). */
const postgresProcesses = () => {
  const { backends, background } = postgresPids(values.database);
  return [...backends, ...background];
};

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const modes = values.prepared.split(',').map((m) => z.enum(['on', 'off']).parse(m.trim()));
const runs = Number(values.runs);

async function main() {
  // Dropped and created again: rows left by earlier invocations (this PostgreSQL may run without autovacuum) made
  // the same statements cost more run after run.
  await prepareDatabase(databaseUrl, { recreate: true });
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) await measure(mode);
  }
}

async function measure(prepared: 'on' | 'off') {
  // A new pool per run: its connections have prepared nothing yet.
  const orm = await initOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: Math.max(concurrency, 2), DATABASE_PREPARED_STATEMENTS: prepared });
  // The EntityManager the saga's activities use for these statements.
  const em = () => plainSqlEm(orm);
  const productIds: string[] = [];
  for (let i = 0; i < Number(values.products); i++) {
    const [row] = await plainQuery<{ id: string }>(
      em(),
      `INSERT INTO products (id, sku, name, price_cents, currency, on_hand, reserved) VALUES ($1, $2, $3, 1250, 'EUR', 100000000, 0) RETURNING id`,
      [randomUUID(), `stmt-${randomUUID()}`, 'Statement bench product'],
    );
    productIds.push(row.id);
  }

  /** One paid order's statements, in the saga's order. */
  async function order(): Promise<void> {
    const orderId = randomUUID();
    const customerId = `stmt-${randomUUID()}`;
    const items = [{ productId: productIds[Math.floor(Math.random() * productIds.length)], quantity: 1 }];
    await insertOrder(em(), {
      orderId,
      workflowId: `order-${orderId}`,
      customerId,
      customerEmail: 'bench@example.com',
      items,
      requestFingerprint: 'f',
    });
    const reservation = await reserveStock(em(), orderId, items);
    await recordStatus(em(), orderId, { status: 'RESERVED', seq: 1, task: 1 }, { lines: reservation.lines, currency: reservation.currency });
    await recordStatus(em(), orderId, { status: 'AWAITING_PAYMENT', seq: 2, task: 1, paymentStatus: 'pending', providerPaymentId: `pay_${orderId}` });
    await recordStatus(em(), orderId, { status: 'PAID', seq: 3, task: 2, paymentStatus: 'succeeded' }, undefined, commitStockAlongside(orderId));
    await recordNotification(em(), { orderId, kind: 'order_confirmed', idempotencyKey: `${orderId}:order_confirmed`, recipient: 'bench@example.com', attempt: 1, status: 'SENT', providerNotificationId: 'n' });
    await recordStatus(em(), orderId, { status: 'COMPLETED', seq: 4, task: 3 });
  }

  async function run(forSeconds: number): Promise<{ orders: number; pg: number; node: number; wall: number }> {
    const pg0 = CpuSnapshot.take(postgresProcesses());
    const node0 = ownCpuSeconds();
    const t0 = Date.now();
    const until = t0 + forSeconds * 1000;
    let orders = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          await order();
          orders++;
        }
      }),
    );
    return { orders, pg: pg0.until(CpuSnapshot.take(postgresProcesses())), node: ownCpuSeconds() - node0, wall: (Date.now() - t0) / 1000 };
  }

  await run(warmup);
  const r = await run(seconds);
  console.log(
    `DATABASE_PREPARED_STATEMENTS=${prepared}, C=${concurrency}, ${r.wall.toFixed(1)} s: ${r.orders} orders, ${(r.orders / r.wall).toFixed(1)} orders/s; ` +
      `CPU-s per order: PostgreSQL ${(r.pg / r.orders).toFixed(4)}, driver ${(r.node / r.orders).toFixed(4)}`,
  );
  await orm.close(true);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
