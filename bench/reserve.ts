/**
 * Reservation throughput: our reserveStock + releaseStock against pgbench running the same two SQL statements.
 *
 *   npx tsx bench/reserve.ts            (BENCH_SECONDS=5 per run; BENCH_DATABASE_URL to point elsewhere)
 *
 * One "transaction" is one reserve of one unit plus its release, on either a single hot product (every caller
 * queues on one row lock) or on 100 products picked uniformly at random. pgbench runs a script written for each run
 * from the very SQL text reserveStock and releaseStock send (bench/reserve-pgbench-script.ts), so the ratio
 * ours/pgbench is the cost of Node, the pg driver and MikroORM on top of the database work.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reserveStock } from '../src/catalog/reserve-stock';
import { releaseStock } from '../src/catalog/stock-transitions';
import { loadConfig } from '../src/config';
import { ensureDatabase } from '../src/db/migrate';
import { migrate } from '../src/db/migrate';
import type { Orm } from '../src/db/orm';
import { initOrm } from '../src/db/orm';
import { runPgbench } from './pgbench';
import { reservePgbenchScript } from './reserve-pgbench-script';

const CLIENT_COUNTS = [1, 8, 32];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SPREAD_PRODUCTS = 100;
/** Enough stock that no run ever runs out (each iteration gives its unit back anyway). */
const BENCH_STOCK = 1_000_000_000;
const RESULTS_PATH = path.join(__dirname, 'results', 'reserve.json');

interface Scenario {
  name: string;
  /** sku prefix; product k (1-based) has sku prefix+k and id md5(sku)::uuid, which the pgbench script recomputes. */
  prefix: string;
  products: string[];
}

export interface ReserveRow {
  scenario: string;
  clients: number;
  oursTps: number;
  pgbenchTps: number;
  ratio: number;
}

export function benchDatabaseUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = '/order_saga_bench';
  return url.toString();
}

async function createScenario(orm: Orm, name: string, count: number, runId: string): Promise<Scenario> {
  const prefix = `bench-${runId}-${name}-`;
  const em = orm.em.fork();
  const rows = await em.execute<{ id: string }[]>(
    `INSERT INTO products (id, sku, name, price_cents, currency, on_hand)
     SELECT md5(? || g)::uuid, ? || g, 'Bench product ' || g, 100, 'EUR', ? FROM generate_series(1, ?) AS g
     RETURNING id`,
    [prefix, prefix, BENCH_STOCK, count],
  );
  const ids = rows.map((r) => r.id);
  await em.execute(
    `INSERT INTO stock_movements (product_id, delta, kind, reason)
     SELECT id, on_hand, 'INITIAL', 'benchmark setup' FROM products WHERE id = ANY(?::uuid[])`,
    [`{${ids.join(',')}}`],
  );
  return { name, prefix, products: ids };
}

/** `clients` concurrent callers each loop reserve + release until time is up; answers iterations per second. */
async function runOurs(orm: Orm, scenario: Scenario, clients: number, seconds: number): Promise<number> {
  // Open the pool's connections first, so that (like pgbench's figure) connection setup is not measured.
  await Promise.all(Array.from({ length: clients }, () => orm.em.fork().execute('SELECT pg_sleep(0.05)')));
  let completed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const orderId = randomUUID();
        const productId = scenario.products[Math.floor(Math.random() * scenario.products.length)];
        await reserveStock(orm.em.fork(), orderId, [{ productId, quantity: 1 }]);
        await releaseStock(orm.em.fork(), orderId);
        completed++;
      }
    }),
  );
  return completed / ((performance.now() - started) / 1000);
}

async function reservationCount(orm: Orm, scenario: Scenario): Promise<number> {
  const [row] = await orm.em
    .fork()
    .execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM stock_reservations WHERE product_id = ANY(?::uuid[])`, [`{${scenario.products.join(',')}}`]);
  return row.n;
}

/** After the runs every unit must be back: a fast benchmark of a wrong implementation is worth nothing. */
async function checkNothingLeaked(orm: Orm, scenarios: Scenario[]): Promise<void> {
  const ids = `{${scenarios.flatMap((s) => s.products).join(',')}}`;
  const [row] = await orm.em.fork().execute<{ leaked: number; active: number }[]>(
    `SELECT (SELECT count(*) FROM products WHERE id = ANY(?::uuid[]) AND (reserved <> 0 OR on_hand <> ?))::int AS leaked,
            (SELECT count(*) FROM stock_reservations WHERE product_id = ANY(?::uuid[]) AND status = 'ACTIVE')::int AS active`,
    [ids, BENCH_STOCK, ids],
  );
  if (row.leaked !== 0 || row.active !== 0) {
    throw new Error(`stock leaked: ${row.leaked} product(s) off their starting level, ${row.active} ACTIVE reservation(s)`);
  }
}

/** The comparison as a plain-text table. */
export function formatReserveTable(rows: ReserveRow[]): string {
  const header = ['scenario', 'C', 'ours tx/s', 'pgbench tx/s', 'ours/pgbench'];
  const cells = rows.map((r) => [r.scenario, String(r.clients), r.oursTps.toFixed(0), r.pgbenchTps.toFixed(0), r.ratio.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i < 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export interface ReserveComparison {
  rows: ReserveRow[];
  postgres: string;
}

/**
 * Ours vs pgbench for the hot and the spread scenario at each client count, on `databaseUrl` (created and migrated
 * when missing). bench/saga.ts runs this too, with shorter runs.
 */
export async function runReserveComparison(options: {
  databaseUrl: string;
  seconds: number;
  clientCounts?: number[];
  log?: (line: string) => void;
}): Promise<ReserveComparison> {
  const { databaseUrl, seconds } = options;
  const clientCounts = options.clientCounts ?? CLIENT_COUNTS;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  await ensureDatabase(databaseUrl);
  const orm = await initOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: Math.max(...clientCounts) });
  // Written for this run only: the statements' text lives in src/catalog, nowhere else.
  const scriptDir = mkdtempSync(path.join(os.tmpdir(), 'reserve-pgbench-'));
  const scriptPath = path.join(scriptDir, 'reserve.pgbench.sql');
  try {
    await migrate(orm);
    const runId = Date.now().toString(36);
    const scenarios = [
      await createScenario(orm, 'hot', 1, runId),
      await createScenario(orm, 'spread', SPREAD_PRODUCTS, runId),
    ];
    await orm.em.fork().execute('ANALYZE products');
    writeFileSync(scriptPath, reservePgbenchScript());

    const rows: ReserveRow[] = [];
    for (const scenario of scenarios) {
      const label = scenario.name === 'hot' ? 'hot (1 product)' : `spread (${scenario.products.length} products)`;
      for (const clients of clientCounts) {
        const oursTps = await runOurs(orm, scenario, clients, seconds);
        const before = await reservationCount(orm, scenario);
        const pgbench = await runPgbench({
          databaseUrl,
          scriptPath,
          clients,
          seconds,
          variables: { prefix: scenario.prefix, nproducts: scenario.products.length },
        });
        // Proof that the script reserved real products rather than missing them and doing nothing, quickly.
        const reserved = (await reservationCount(orm, scenario)) - before;
        if (reserved !== pgbench.transactions) {
          throw new Error(`pgbench reported ${pgbench.transactions} transactions but made ${reserved} reservations`);
        }
        const pgbenchTps = pgbench.tps;
        rows.push({ scenario: label, clients, oursTps, pgbenchTps, ratio: oursTps / pgbenchTps });
        log(`  done: ${label}, C=${clients}`);
      }
    }
    await checkNothingLeaked(orm, scenarios);
    const [{ server_version: postgres }] = await orm.em.fork().execute<{ server_version: string }[]>('SHOW server_version');
    return { rows, postgres };
  } finally {
    await orm.close();
    rmSync(scriptDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const databaseUrl = benchDatabaseUrl();
  console.log(`reserve + release of 1 unit, ${SECONDS} s per run, ${os.cpus().length} CPU(s), database ${new URL(databaseUrl).pathname.slice(1)}\n`);
  const { rows, postgres } = await runReserveComparison({ databaseUrl, seconds: SECONDS });
  console.log(formatReserveTable(rows));
  mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(
    RESULTS_PATH,
    JSON.stringify(
      { benchmark: 'reserve', unit: 'reserve+release pairs per second', seconds: SECONDS, cpus: os.cpus().length, node: process.version, postgres, at: new Date().toISOString(), rows },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), RESULTS_PATH)}`);
}

// Imported by bench/saga.ts for its functions; run directly by `npm run bench:reserve`.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
