/**
 * `npm run bench`: the order saga end to end against the engine's ceiling, on stacks this script starts itself.
 * Options: `npm run bench -- --help` (bench/lib/options.ts). Writes bench/results/latest.{json,md} and prints the tables.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { ServiceSpec, TemporalPersistence } from '../devtools/launcher';
import { launch, System, systemServices } from '../devtools/launcher';
import { PROJECT_ROOT } from '../devtools/project-root';
import { ensureTemporalCli } from '../devtools/temporal-cli';
import { ORDER_LIMITS_OFF } from '../devtools/limits-off';
import { describeMachine } from '../devtools/machine';
import type { LegContext, LegResult } from './lib/legs';
import { runCeilingLeg, runOursLeg, SAGA_API } from './lib/legs';
import type { BenchOptions, StackConfiguration } from './lib/options';
import { describeConfiguration, parseBenchOptions, stackConfigurations, usage, UsageError } from './lib/options';
import { OrderFollower } from './lib/order-follower';
import type { OverloadResult } from './lib/overload';
import { runOverloadLeg } from './lib/overload';
import type { SoakResult } from './lib/soak';
import { runSoakLeg } from './lib/soak';
import { createBenchProducts } from './lib/products';
import type { BenchResults } from './lib/report';
import { cpuTable, overloadTable, renderMarkdown, sagaTable, shapeCpuTable, shapeTable, soakTable, webhookCostTable } from './lib/report';
import { summarizeSaga } from './lib/saga-rows';
import type { ShapeResult } from './lib/shape';
import { runShapeLeg, SAGA_KINDS } from './lib/shape';
import { benchDatabaseUrl, formatReserveTable, runReserveComparison } from './reserve';
import { processMemoryMiB } from './lib/proc';
import { WORKER_PROCESS_ENV } from '../src/worker/process-settings';
import { costSetting, costSettingEnv } from './lib/cost-settings';
import { costRows, costTable, otlpLines } from './lib/cost-table';
import type { OtlpSink, OtlpSinkStats } from './lib/otlp-sink';
import { startOtlpSink } from './lib/otlp-sink';
import type { WebhookReceiver } from '../chaos/lib/webhook-receiver';
import { startWebhookReceiver } from '../chaos/lib/webhook-receiver';
import type { WebhookLegResult } from './lib/webhook-leg';
import { runSagaWebhookLeg, subscribeBenchEndpoint, summarizeWebhookCost } from './lib/webhook-leg';

const env = process.env;
/** Unset: the dev server flags `npm start` uses (DEV_SERVER_DYNAMIC_CONFIG); "none": none at all (the "before"). */
const DYNAMIC_CONFIG = env.BENCH_TEMPORAL_DYNAMIC_CONFIG === undefined ? undefined : env.BENCH_TEMPORAL_DYNAMIC_CONFIG.split(';').filter((v) => v && v !== 'none');
/**
 * The saga legs measure the saga, not admission control: their APIs never shed or answer 202 (the overload leg
 * measures those, on an API of its own with the production settings).
 */
const SAGA_API_ENV = { ...ORDER_LIMITS_OFF, MAX_INFLIGHT_PLACEMENTS: '1000000', PLACEMENT_DEADLINE: '10m' };
const OVERLOAD_API = 'api-overload';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const describeLeg = (r: LegResult) =>
  `${r.setting ? `${r.setting} ` : ''}${r.kind.padEnd(7)} C=${String(r.concurrency).padStart(2)}: ${r.sagasPerSecond.toFixed(1)} sagas/s, placement p50 ${r.placement.p50.toFixed(1)} ms` +
  (r.failed ? `, ${r.failed} failed (${r.firstError})` : '') +
  ('webhook' in r
    ? `; ${(r as WebhookLegResult).webhook.events} events, change → receiver p50 ${(r as WebhookLegResult).webhook.toReceiver.p50.toFixed(0)} ms, p99 ${(r as WebhookLegResult).webhook.toReceiver.p99.toFixed(0)} ms`
    : '');

/** The processes of one bench stack: the system (with the bench worker), plus the overload leg's API. */
function benchServices(o: BenchOptions, config: StackConfiguration, env: Record<string, string>): ServiceSpec[] {
  const services = systemServices({
    workers: config.workers,
    workerEntry: 'bench/ceiling/worker.ts',
    env: { simulator: { SIM_WEBHOOK_DELAY_MS: '0' }, api: { ...SAGA_API_ENV, ...env } },
  });
  const api = services.find((s) => s.name === SAGA_API)!;
  if (o.legs.includes('overload') || o.legs.includes('soak')) services.push({ ...api, name: OVERLOAD_API, env: { ...env } });
  return services;
}

interface StackResults {
  legs: LegResult[];
  shape: ShapeResult[];
  overload: OverloadResult[];
  soak: SoakResult[];
  temporal: { mode: string; args: string[] };
  vmHwmMiB?: number;
  startToPollingMs: number[];
  postgres: string;
  settings: BenchResults['settings'];
  /** A traced --compare setting: what its OTLP sink received. */
  otlp?: OtlpSinkStats;
  /** The NODE_ENV the services ran with, and each service's command line (node's arguments, relative paths). */
  nodeEnv: string;
  commands: Record<string, string>;
}

/** --env, and with --compare the setting's own (a traced setting exports to a sink started for its stack). */
async function stackEnv(o: BenchOptions, config: StackConfiguration): Promise<{ env: Record<string, string>; sink?: OtlpSink }> {
  if (!config.setting) return { env: o.env };
  const setting = costSetting(config.setting);
  const sink = setting.tracing ? await startOtlpSink() : undefined;
  return { env: { ...o.env, ...costSettingEnv(setting, sink?.url) }, sink };
}

async function benchOneStack(o: BenchOptions, config: StackConfiguration, databaseUrl: string): Promise<StackResults> {
  const legs: LegResult[] = [];
  const shape: ShapeResult[] = [];
  const overload: OverloadResult[] = [];
  const soak: SoakResult[] = [];
  if (config.shards !== undefined) process.env.TEMPORAL_HISTORY_SHARDS = String(config.shards);
  const { env: stackSettings, sink } = await stackEnv(o, config);
  // The saga-webhook leg's subscriber: its certificate must be in the stack's environment before the stack starts.
  const receiver: WebhookReceiver | undefined = o.legs.includes('saga-webhook') ? await startWebhookReceiver() : undefined;
  log(`${describeConfiguration(config)}: starting the stack (database ${new URL(databaseUrl).pathname.slice(1)}${sink ? `, spans to ${sink.url}` : ''})…`);
  const stack = await launch({
    name: 'bench',
    databaseUrl,
    recreateDatabase: true,
    // The bench's worker: the production worker with the ceiling workflow beside the product's (bench/ceiling/).
    services: benchServices(o, config, stackSettings),
    runtime: o.runtime,
    ports: 'free',
    temporal: { persistence: config.persistence as TemporalPersistence, dynamicConfig: DYNAMIC_CONFIG },
    env: { PAYMENT_TIMEOUT: o.paymentTimeout, CANCEL_WINDOW: o.cancelWindow, ...stackSettings, ...receiver?.stackEnv },
    logs: 'files',
    workflowBundle: { build: 'bench/ceiling/workflows' },
    log,
  }).catch(async (err: unknown) => {
    await sink?.close();
    await receiver?.close();
    throw err;
  });
  const nodeEnv = stack.config.NODE_ENV;
  const commands = serviceCommands(stack);
  log(`services: ${o.runtime}, NODE_ENV=${nodeEnv}: ${Object.entries(commands).map(([name, command]) => `${name} \`${command}\``).join(', ')}`);
  const db = new PgClient({ connectionString: databaseUrl, application_name: 'bench-driver' });
  const temporal = await stack.client();
  let vmHwmMiB: number | undefined;
  let postgres = 'unknown';
  try {
    await db.connect();
    // The order follower's poll (an id list of varying length) would be planned again at every poll: load of the
    // benchmark's own on the database it measures. One generic plan serves every poll of this session.
    await db.query('SET plan_cache_mode = force_generic_plan');
    postgres = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ctx: LegContext = {
      stack,
      configuration: config,
      products: await createBenchProducts(db, o.products),
      follower: new OrderFollower(db),
      temporal,
      driverBackendPids: rows.map((r) => r.pid),
      settleMs: stack.config.CANCEL_WINDOW + 1000,
    };
    const saga = o.legs.includes('saga');
    const ceiling = o.legs.includes('ceiling');
    const endpoint = receiver ? await subscribeBenchEndpoint(ctx, receiver) : undefined;
    if ((saga || ceiling || endpoint) && o.warmupSeconds > 0) {
      log(`stack up (worker polling ${stack.workerStartMs[0].toFixed(0)} ms after spawn); warming up ${o.warmupSeconds} s per leg…`);
      if (saga) log(describeLeg(await runOursLeg(ctx, 16, o.warmupSeconds)));
      if (endpoint) log(describeLeg(await runSagaWebhookLeg(ctx, db, endpoint, 16, o.warmupSeconds)));
      if (ceiling) log(describeLeg(await runCeilingLeg(ctx, 16, o.warmupSeconds)));
    }
    for (const concurrency of saga || ceiling || endpoint ? o.concurrency : []) {
      for (let run = 0; run < o.runs; run++) {
        // Interleaved: without the endpoint, with it, the ceiling; then again.
        const runs = [
          ...(saga ? [() => runOursLeg(ctx, concurrency, o.durationSeconds)] : []),
          ...(endpoint ? [() => runSagaWebhookLeg(ctx, db, endpoint, concurrency, o.durationSeconds)] : []),
          ...(ceiling ? [() => runCeilingLeg(ctx, concurrency, o.durationSeconds)] : []),
        ];
        for (const leg of runs) {
          const result = await leg();
          legs.push(result);
          log(describeLeg(result));
        }
      }
    }
    if (o.legs.includes('shape')) {
      for (const kind of SAGA_KINDS) {
        const result = await runShapeLeg(ctx, kind, o.shapeSagas);
        shape.push(result);
        log(`shape ${kind}: ${result.completed}/${result.sagas} ${result.finalStatus}, ${result.history.events.toFixed(1)} events, ${result.history.workflowTasks.toFixed(1)} workflow tasks, machine ${result.cpuPerSaga.machine.toFixed(3)} CPU-s/saga${result.firstError ? ` — ${result.firstError}` : ''}`);
      }
    }
    if (o.legs.includes('soak')) {
      // "Below capacity": 60 % of what the saga leg sustained on this stack, unless a rate was given.
      const best = Math.max(0, ...legs.filter((l) => l.kind === 'ours').map((l) => l.sagasPerSecond));
      const [rate, rateSource] =
        o.soakRate !== undefined ? [o.soakRate, '--soak-rate'] : best > 0 ? [0.6 * best, `60 % of the saga leg's best (${best.toFixed(1)} sagas/s)`] : [6, 'default (no saga leg)'];
      log(`soak: ${rate.toFixed(1)} orders/s (${rateSource}) for ${o.soakSeconds} s…`);
      const result = await runSoakLeg(ctx, OVERLOAD_API, { rate, rateSource, seconds: o.soakSeconds, settleTimeoutMs: 60_000 + stack.config.PAYMENT_TIMEOUT + stack.config.CANCEL_WINDOW });
      soak.push(result);
      log(`soak: ${result.placements} placements, answers ${JSON.stringify(result.byStatus)}, ${result.served}/${result.accepted} PAID, worker RSS ${result.rssFirstFifthMiB.toFixed(0)} → ${result.rssLastFifthMiB.toFixed(0)} MiB (peak ${result.rssPeakMiB.toFixed(0)}), ${result.invariantViolations} invariant violations`);
    }
    if (o.legs.includes('overload')) {
      log(`overload: ${o.overloadCustomers} concurrent new customers for ${o.overloadSeconds} s…`);
      const result = await runOverloadLeg(ctx, OVERLOAD_API, o.overloadCustomers, o.overloadSeconds, 60_000 + stack.config.PAYMENT_TIMEOUT + stack.config.CANCEL_WINDOW);
      overload.push(result);
      log(`overload: ${result.acceptedPerSecond.toFixed(1)} accepted/s, ${result.shedPerSecond.toFixed(1)} shed/s, ${result.settled}/${result.accepted} settled, ${result.invariantViolations} invariant violations`);
    }
    const workerPid = stack.pids().worker[0];
    vmHwmMiB = workerPid === undefined ? undefined : processMemoryMiB(workerPid)?.peak;
    // A second start → polling figure, with the file system cache warm.
    await stack.stopOne('worker');
    await stack.startWorker();
  } finally {
    await db.end().catch(() => undefined);
    await temporal.connection.close().catch(() => undefined);
    // Stopping flushes the services' span buffers: count the sink only afterwards.
    await stack.stop();
    await sink?.close();
    await receiver?.close();
  }
  const otlp = sink?.stats();
  if (otlp) log(`OTLP sink: ${otlp.spans} spans in ${otlp.batches} batches (${Object.entries(otlp.byService).map(([name, n]) => `${name} ${n}`).join(', ')})`);
  const c = stack.config;
  return {
    legs,
    shape,
    overload,
    soak,
    temporal: { mode: stack.temporal!.mode, args: stack.temporal!.args },
    vmHwmMiB,
    startToPollingMs: stack.workerStartMs,
    postgres,
    settings: {
      SIM_WEBHOOK_DELAY_MS: 0,
      PAYMENT_TIMEOUT: o.paymentTimeout,
      CANCEL_WINDOW: o.cancelWindow,
      WORKER_MAX_CONCURRENT_ACTIVITIES: c.WORKER_MAX_CONCURRENT_ACTIVITIES,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      WORKER_MAX_CACHED_WORKFLOWS: c.WORKER_MAX_CACHED_WORKFLOWS,
      DATABASE_POOL_MAX: c.DATABASE_POOL_MAX,
      RESERVATION_CONCURRENCY: c.RESERVATION_CONCURRENCY,
      LOG_LEVEL: c.LOG_LEVEL,
      ...workerProcessSettings(stack),
      ...o.env,
    },
    otlp,
    nodeEnv,
    commands,
  };
}

/** The worker's heap and malloc settings (src/worker/process-settings.ts) as the launcher started it, for the report. */
function workerProcessSettings(stack: System): Record<string, string> {
  const env = stack.envOf('worker');
  return Object.fromEntries(Object.keys(WORKER_PROCESS_ENV).map((k) => [`worker ${k}`, env[k] ?? '']));
}

/** Each service's command line as started (first instance), paths relative to the root: what the report shows. */
function serviceCommands(stack: System): Record<string, string> {
  const commands: Record<string, string> = {};
  for (const name of Object.keys(stack.pids()).filter((n) => n !== 'temporal')) {
    const args = stack.process(name)?.spec.args ?? [];
    commands[name] = ['node', ...args.map((a) => (path.isAbsolute(a) ? path.relative(PROJECT_ROOT, a) : a))].join(' ');
  }
  return commands;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return;
  }
  const o = parseBenchOptions(argv);
  System.stopOnSignals(log);
  const started = performance.now();
  const machine = describeMachine();
  const databaseUrl = benchDatabaseUrl();
  const output = path.resolve(PROJECT_ROOT, o.output);
  const configurations = stackConfigurations(o);
  const stacks: (StackResults & { config: StackConfiguration })[] = [];
  if (o.legs.some((l) => l !== 'reserve')) {
    for (const config of configurations) stacks.push({ config, ...(await benchOneStack(o, config, databaseUrl)) });
  }

  let reserve: BenchResults['reserve'];
  if (o.legs.includes('reserve')) {
    log(`reservation vs pgbench, ${o.reserveSeconds} s per run…`);
    reserve = await runReserveComparison({ databaseUrl, seconds: o.reserveSeconds, log });
  }

  const cli = ensureTemporalCli(log);
  const legs = stacks.flatMap((s) => s.legs);
  const saga = summarizeSaga(legs);
  const results: BenchResults = {
    benchmark: 'saga',
    at: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    postgres: stacks[0]?.postgres ?? reserve?.postgres ?? 'unknown',
    temporal: { cli: execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim(), args: stacks[0]?.temporal.args ?? [] },
    temporalServers: stacks.map((s) => ({ ...s.config, ...s.temporal })),
    options: { ...o, env: Object.keys(o.env) },
    runtime: {
      services: o.runtime,
      nodeEnv: [...new Set(stacks.map((s) => s.nodeEnv))].join(', '),
      commands: stacks[0]?.commands ?? {},
    },
    settings: stacks[0]?.settings ?? {},
    legs,
    saga,
    webhookCost: o.legs.includes('saga-webhook') ? summarizeWebhookCost(legs) : undefined,
    shape: stacks.flatMap((s) => s.shape),
    overload: stacks.flatMap((s) => s.overload),
    soak: stacks.flatMap((s) => s.soak),
    reserve,
    cost: o.compare.length
      ? {
          factors: o.compare,
          rows: costRows(o.compare, saga),
          otlp: stacks.flatMap((s) => (s.otlp ? [{ ...s.config, ...s.otlp }] : [])),
        }
      : undefined,
    worker: {
      rssPeakMiB: Math.max(0, ...legs.filter((l) => l.kind === 'ours').map((l) => l.workerRssPeakMiB)),
      vmHwmMiB: stacks[0]?.vmHwmMiB,
      startToPollingMs: stacks.flatMap((s) => s.startToPollingMs),
    },
  };

  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(`${output}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${output}.md`, renderMarkdown(results));
  if (saga.length) console.log(`\nSagas end to end vs the ceiling\n\n${sagaTable(saga)}\n\nCPU-seconds per order\n\n${cpuTable(saga)}`);
  if (results.webhookCost?.length) console.log(`\nThe saga with one subscribed webhook endpoint vs none\n\n${webhookCostTable(results.webhookCost)}`);
  if (results.cost) console.log(`\nWhat ${results.cost.factors.join(' and ')} cost\n\n${costTable(results.cost.rows)}${results.cost.otlp.length ? `\n\nOTLP sink\n${otlpLines(results.cost.otlp).join('\n')}` : ''}`);
  if (results.shape.length) console.log(`\nSaga shape per kind\n\n${shapeTable(results.shape)}\n\nCPU-seconds per saga of each kind\n\n${shapeCpuTable(results.shape)}`);
  if (results.soak?.length) console.log(`\nSoak\n\n${soakTable(results.soak)}`);
  if (results.overload.length) console.log(`\nOverload\n\n${overloadTable(results.overload)}`);
  if (reserve) console.log(`\nReservation vs pgbench\n\n${formatReserveTable(reserve.rows)}`);
  if (stacks.length) console.log(`\nWorker: peak RSS ${results.worker.rssPeakMiB.toFixed(0)} MiB; start → polling ${results.worker.startToPollingMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`\nwritten to ${path.relative(process.cwd(), output)}.{json,md}`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message}`);
    process.exit(2);
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
