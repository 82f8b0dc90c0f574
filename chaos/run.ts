/**
 * `npm run chaos`: M orders of every kind (default 300) while a worker is SIGKILLed every few seconds, an API
 * instance, Temporal and PostgreSQL are restarted; then the invariant checker. Exits 1 on any violation, and on
 * TEMPORAL_PERSISTENCE=postgres when an order's workflow is not in the Temporal database.
 *
 * The system as `npm start` runs it: TEMPORAL_PERSISTENCE (dev | postgres), WORKERS, API_INSTANCES (launcher settings).
 *
 * Knobs (environment): CHAOS_ORDERS=300  CHAOS_CONCURRENCY=12  CHAOS_PLACEMENT_SECONDS=90  CHAOS_KILL_EVERY_MS=12000-20000 (of the worker's uptime)
 * CHAOS_MAX_WORKER_KILLS (unlimited)  CHAOS_RESTART_POSTGRES=1 (restarts the machine's cluster: tell whoever shares it)
 * CHAOS_PAYMENT_TIMEOUT=8s  CHAOS_CANCEL_WINDOW=5s  CHAOS_PAYMENT_CAPTURE=automatic (manual: authorize, capture at the window's end)
 * CHAOS_SETTLE_SECONDS=300  CHAOS_SEED  CHAOS_DATABASE_URL
 * CHAOS_RESULTS=chaos/results/latest.md ("" to write nothing).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeMachine } from '../devtools/machine';
import { System } from '../devtools/launcher';
import { loadLauncherSettings } from '../devtools/launcher/settings';
import { loadConfig } from '../src/config';
import { PROJECT_ROOT } from '../devtools/project-root';
import { runChaos } from './lib/chaos-run';
import { chaosMarkdown, formatChaosSummary } from './lib/summary';

const env = process.env;
// Of uptime, and longer than the 10-s workflow task timeout: the tasks a kill leaves behind time out and are retried
// by the next worker, which must live long enough to finish them. Kills every 3–6 s livelocked the sagas that live
// long (goods that ship): their tasks timed out again and again and the run stopped moving.
const [killMin, killMax] = (env.CHAOS_KILL_EVERY_MS ?? '12000-20000').split('-').map(Number);

function databaseUrl(): string {
  if (env.CHAOS_DATABASE_URL) return env.CHAOS_DATABASE_URL;
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = '/order_saga_chaos';
  return url.toString();
}

function paymentCapture(value: string | undefined): 'automatic' | 'manual' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'automatic' && value !== 'manual') throw new Error(`CHAOS_PAYMENT_CAPTURE: expected automatic or manual, got "${value}"`);
  return value;
}

async function main(): Promise<number> {
  const log = (m: string) => process.stderr.write(`[chaos] ${m}\n`);
  System.stopOnSignals(log);
  const restartPostgres = env.CHAOS_RESTART_POSTGRES !== '0';
  const startedAt = new Date().toISOString();
  const settings = loadLauncherSettings();
  const summary = await runChaos({
    databaseUrl: databaseUrl(),
    persistence: settings.TEMPORAL_PERSISTENCE,
    workers: settings.WORKERS,
    apiInstances: settings.API_INSTANCES,
    orders: Number(env.CHAOS_ORDERS ?? 300),
    concurrency: Number(env.CHAOS_CONCURRENCY ?? 12),
    placementMs: Number(env.CHAOS_PLACEMENT_SECONDS ?? 90) * 1000,
    workerKillEveryMs: [killMin, killMax ?? killMin],
    maxWorkerKills: Number(env.CHAOS_MAX_WORKER_KILLS ?? Infinity),
    restartApi: true,
    restartTemporal: true,
    restartPostgres,
    paymentTimeout: env.CHAOS_PAYMENT_TIMEOUT ?? '8s',
    cancelWindow: env.CHAOS_CANCEL_WINDOW ?? '5s',
    paymentCapture: paymentCapture(env.CHAOS_PAYMENT_CAPTURE),
    settleTimeoutMs: Number(env.CHAOS_SETTLE_SECONDS ?? 300) * 1000,
    seed: Number(env.CHAOS_SEED ?? Date.now() % 1_000_000),
    log,
  });
  console.log(`\n${formatChaosSummary(summary)}`);
  const results = env.CHAOS_RESULTS ?? 'chaos/results/latest.md';
  if (results) {
    const m = describeMachine();
    const out = path.resolve(PROJECT_ROOT, results);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      chaosMarkdown(summary, [
        `Started ${startedAt}${restartPostgres ? ' (this run restarted the shared PostgreSQL cluster once)' : ''}.`,
        `Machine: nproc ${m.nproc}, ${m.cpuModel}, memory ${m.memory}; Node ${m.node}.`,
      ]),
    );
    console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
  }
  return summary.report.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
