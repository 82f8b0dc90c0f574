/**
 * `npm run bench`: the order saga end to end against the engine's ceiling, on a stack this script starts itself.
 *
 *   1. N tok_visa orders through POST /orders at C = 1, 16, 64, each followed to PAID → sagas/s, POST latency;
 *   2. the no-op workflow of the same shape (bench/ceiling/workflow.ts) at the same C, same server and worker;
 *   3. reservation throughput vs pgbench (bench/reserve.ts, shorter runs);
 *   4. the worker's peak RSS and its start → polling time with the prebuilt bundle;
 * with CPU-seconds per order for each process. Writes bench/results/latest.{json,md} and prints the tables.
 *
 * Knobs (environment): BENCH_CONCURRENCY=1,16,64  BENCH_ORDERS=500 (per run)  BENCH_ORDERS_C1=100  BENCH_RUNS=2
 * BENCH_WARMUP=100  BENCH_PRODUCTS=20  BENCH_RESERVE_SECONDS=3 (0 skips it)  BENCH_IDEMPOTENCY_KEYS=1
 * BENCH_TEMPORAL_DYNAMIC_CONFIG="key=value;key=value" or "none" (default: npm start's)  BENCH_CEILING_FOLDED=1 (a what-if ceiling, see bench/ceiling/workflow.ts)
 * BENCH_DATABASE_URL  BENCH_OUTPUT=bench/results/latest
 * and any service setting (WORKER_MAX_CONCURRENT_ACTIVITIES, DATABASE_POOL_MAX, …), which the services inherit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { launch, System, systemServices } from '../devtools/launcher';
import { loadLauncherSettings } from '../devtools/launcher/settings';
import { ensureTemporalCli, PROJECT_ROOT } from '../devtools/temporal-cli';
import { ORDER_LIMITS_OFF } from '../devtools/limits-off';
import type { LegContext, LegResult } from './lib/legs';
import { runCeilingLeg, runOursLeg } from './lib/legs';
import { describeMachine } from '../devtools/machine';
import { PaidFollower } from './lib/paid-follower';
import { createBenchProducts } from './lib/products';
import type { BenchResults } from './lib/report';
import { cpuTable, renderMarkdown, sagaTable, summarizeSaga } from './lib/report';
import { benchDatabaseUrl, formatReserveTable, runReserveComparison } from './reserve';
import { processMemoryMiB } from './lib/proc';

const env = process.env;
const LEVELS = (env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const ORDERS = Number(env.BENCH_ORDERS ?? 500);
const ORDERS_C1 = Number(env.BENCH_ORDERS_C1 ?? 100);
const RUNS = Number(env.BENCH_RUNS ?? 2);
const WARMUP = Number(env.BENCH_WARMUP ?? 100);
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 20);
const RESERVE_SECONDS = Number(env.BENCH_RESERVE_SECONDS ?? 3);
const IDEMPOTENCY_KEYS = env.BENCH_IDEMPOTENCY_KEYS !== '0';
/** Unset: the dev server flags `npm start` uses (DEV_SERVER_DYNAMIC_CONFIG); "none": none at all (the "before"). */
const DYNAMIC_CONFIG = env.BENCH_TEMPORAL_DYNAMIC_CONFIG === undefined ? undefined : env.BENCH_TEMPORAL_DYNAMIC_CONFIG.split(';').filter((v) => v && v !== 'none');
const OUTPUT = path.resolve(PROJECT_ROOT, env.BENCH_OUTPUT ?? 'bench/results/latest');

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const describeLeg = (r: LegResult) =>
  `${r.kind.padEnd(7)} C=${String(r.concurrency).padStart(2)}: ${r.sagasPerSecond.toFixed(1)} sagas/s, placement p50 ${r.placement.p50.toFixed(1)} ms` +
  (r.failed ? `, ${r.failed} failed (${r.firstError})` : '');

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    const source = readFileSync(__filename, 'utf8');
    console.log(source.slice(source.indexOf('/**') + 4, source.indexOf('*/')).replace(/^ \* ?/gm, ''));
    return;
  }
  System.stopOnSignals(log);
  const started = performance.now();
  const machine = describeMachine();
  const databaseUrl = benchDatabaseUrl();
  log(`starting the stack (database ${new URL(databaseUrl).pathname.slice(1)})…`);
  const stack = await launch({
    name: 'bench',
    databaseUrl,
    recreateDatabase: true,
    // The bench's worker: the production worker with the ceiling workflow beside the product's (bench/ceiling/).
    services: systemServices({ workerEntry: 'bench/ceiling/worker.ts', env: { simulator: { SIM_WEBHOOK_DELAY_MS: '0' } } }),
    ports: 'free',
    // The throughput legs measure the saga, not the order limits.
    env: ORDER_LIMITS_OFF,
    temporal: { persistence: loadLauncherSettings().TEMPORAL_PERSISTENCE, dynamicConfig: DYNAMIC_CONFIG },
    logs: 'files',
    workflowBundle: { build: 'bench/ceiling/workflows' },
    log,
  });
  const db = new PgClient({ connectionString: databaseUrl, application_name: 'bench-driver' });
  const temporal = await stack.client();
  const legs: LegResult[] = [];
  let vmHwmMiB: number | undefined;
  let postgres = 'unknown';
  try {
    await db.connect();
    postgres = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ctx: LegContext = {
      stack,
      products: await createBenchProducts(db, PRODUCTS),
      follower: new PaidFollower(db),
      temporal,
      driverBackendPids: rows.map((r) => r.pid),
      idempotencyKeys: IDEMPOTENCY_KEYS,
      foldCeilingStatusWrites: env.BENCH_CEILING_FOLDED === '1',
    };
    log(`stack up (worker polling ${stack.workerStartMs[0].toFixed(0)} ms after spawn); warming up with ${WARMUP} + ${WARMUP} sagas…`);
    log(describeLeg(await runOursLeg(ctx, 16, WARMUP)));
    log(describeLeg(await runCeilingLeg(ctx, 16, WARMUP)));

    for (const concurrency of LEVELS) {
      const orders = concurrency === 1 ? ORDERS_C1 : ORDERS;
      for (let run = 0; run < RUNS; run++) {
        for (const leg of [runOursLeg, runCeilingLeg]) {
          const result = await leg(ctx, concurrency, orders);
          legs.push(result);
          log(describeLeg(result));
        }
      }
    }
    const workerPid = stack.pids().worker[0];
    vmHwmMiB = workerPid === undefined ? undefined : processMemoryMiB(workerPid)?.peak;
    // A second start → polling figure, with the file system cache warm.
    await stack.stopOne('worker');
    await stack.startWorker();
  } finally {
    await db.end().catch(() => undefined);
    await temporal.connection.close().catch(() => undefined);
    await stack.stop();
  }

  let reserve: BenchResults['reserve'];
  if (RESERVE_SECONDS > 0) {
    log(`reservation vs pgbench, ${RESERVE_SECONDS} s per run…`);
    reserve = await runReserveComparison({ databaseUrl, seconds: RESERVE_SECONDS, log });
  }

  const cli = ensureTemporalCli(log);
  const saga = summarizeSaga(legs);
  const results: BenchResults = {
    benchmark: 'saga',
    at: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    postgres,
    temporal: { cli: execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim(), args: stack.temporal!.args },
    settings: {
      BENCH_RUNS: RUNS,
      BENCH_WARMUP: WARMUP,
      BENCH_PRODUCTS: PRODUCTS,
      BENCH_IDEMPOTENCY_KEYS: IDEMPOTENCY_KEYS,
      SIM_WEBHOOK_DELAY_MS: 0,
      WORKER_MAX_CONCURRENT_ACTIVITIES: stack.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: stack.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      WORKER_MAX_CACHED_WORKFLOWS: stack.config.WORKER_MAX_CACHED_WORKFLOWS,
      DATABASE_POOL_MAX: stack.config.DATABASE_POOL_MAX,
      RESERVATION_CONCURRENCY: stack.config.RESERVATION_CONCURRENCY,
      LOG_LEVEL: stack.config.LOG_LEVEL,
    },
    legs,
    saga,
    reserve,
    worker: { rssPeakMiB: Math.max(0, ...legs.filter((l) => l.kind === 'ours').map((l) => l.workerRssPeakMiB)), vmHwmMiB, startToPollingMs: stack.workerStartMs },
  };

  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(`${OUTPUT}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${OUTPUT}.md`, renderMarkdown(results));
  console.log('\nSagas end to end vs the ceiling\n');
  console.log(sagaTable(saga));
  console.log('\nCPU-seconds per order\n');
  console.log(cpuTable(saga));
  if (reserve) console.log(`\nReservation vs pgbench\n\n${formatReserveTable(reserve.rows)}`);
  console.log(`\nWorker: peak RSS ${results.worker.rssPeakMiB.toFixed(0)} MiB; start → polling ${stack.workerStartMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`\nwritten to ${path.relative(process.cwd(), OUTPUT)}.{json,md} (logs in ${stack.workDir})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
