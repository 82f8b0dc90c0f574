/**
 * `npm run bench`: the order saga end to end against the engine's ceiling, on stacks this script starts itself.
 * Options: `npm run bench -- --help` (bench/lib/options.ts). Writes bench/results/latest.{json,md} and prints the tables.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { Client } from '@temporalio/client';
import type { ServiceSpec, TemporalPersistence } from '../devtools/launcher';
import { launch, System, systemServices } from '../devtools/launcher';
import { PROJECT_ROOT } from '../devtools/project-root';
import { ensureTemporalCli } from '../devtools/temporal-cli';
import { describeMachine } from '../devtools/machine';
import type { LegContext, LegResult } from './lib/legs';
import { API_FLOOR, runApiFloorLeg, runCeilingLeg, runOursLeg, SAGA_API, SAGA_API_ENV, SAGA_SIMULATOR_ENV } from './lib/legs';
import type { BenchOptions, LegName, StackConfiguration } from './lib/options';
import { describeConfiguration, parseBenchOptions, stackConfigurations, usage, UsageError } from './lib/options';
import { readBackendClients } from './lib/meter';
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
import { runOrder, stackDatabaseUrl, stackGroups } from './lib/side-by-side';
import type { WebhookReceiver } from '../chaos/lib/webhook-receiver';
import { startWebhookReceiver } from '../chaos/lib/webhook-receiver';
import type { SubscribedEndpoint, WebhookLegResult } from './lib/webhook-leg';
import { runSagaWebhookLeg, subscribeBenchEndpoint, summarizeWebhookCost } from './lib/webhook-leg';

const env = process.env;
/** Unset: the dev server flags `npm start` uses (DEV_SERVER_DYNAMIC_CONFIG); "none": none at all (the "before"). */
const DYNAMIC_CONFIG = env.BENCH_TEMPORAL_DYNAMIC_CONFIG === undefined ? undefined : env.BENCH_TEMPORAL_DYNAMIC_CONFIG.split(';').filter((v) => v && v !== 'none');
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
    env: { simulator: SAGA_SIMULATOR_ENV, api: { ...SAGA_API_ENV, ...env } },
  });
  const api = services.find((s) => s.name === SAGA_API)!;
  if (o.legs.includes('overload') || o.legs.includes('soak')) services.push({ ...api, name: OVERLOAD_API, env: { ...env } });
  if (o.legs.includes('api-floor')) services.push({ name: API_FLOOR, entry: 'bench/ceiling/front.ts', instances: 1, portKeys: ['PORT'], ready: { httpPath: '/healthz', portKey: 'PORT' }, env: { ...env } });
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

/** A started stack with what its legs need, and the results its legs gathered so far. */
interface OpenStack {
  config: StackConfiguration;
  stack: System;
  ctx: LegContext;
  db: PgClient;
  temporal: Client;
  sink?: OtlpSink;
  receiver?: WebhookReceiver;
  endpoint?: SubscribedEndpoint;
  nodeEnv: string;
  commands: Record<string, string>;
  postgres: string;
  vmHwmMiB?: number;
  legs: LegResult[];
  shape: ShapeResult[];
  overload: OverloadResult[];
  soak: SoakResult[];
}

/** Starts one stack (its own database, Temporal server and services) and readies what its legs need. */
async function openStack(o: BenchOptions, config: StackConfiguration, databaseUrl: string): Promise<OpenStack> {
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
  const opened = { config, stack, db, temporal, sink, receiver, nodeEnv, commands, postgres: 'unknown', legs: [], shape: [], overload: [], soak: [] };
  try {
    await db.connect();
    // The order follower's poll (an id list of varying length) would be planned again at every poll: load of the
    // benchmark's own on the database it measures. One generic plan serves every poll of this session.
    await db.query('SET plan_cache_mode = force_generic_plan');
    const postgres = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ctx: LegContext = {
      stack,
      configuration: config,
      products: await createBenchProducts(db, o.products),
      follower: new OrderFollower(db),
      temporal,
      driverBackendPids: rows.map((r) => r.pid),
      backendClients: () => readBackendClients(db, stack.databaseName),
      settleMs: stack.config.CANCEL_WINDOW + 1000,
    };
    const endpoint = receiver ? await subscribeBenchEndpoint(ctx, receiver) : undefined;
    return { ...opened, postgres, ctx, endpoint };
  } catch (err) {
    await closeStack(opened);
    throw err;
  }
}

/** The legs legsOfOneRun runs, measured run by run after a warm-up. */
const RUN_LEGS: readonly LegName[] = ['saga', 'saga-webhook', 'ceiling', 'api-floor', 'ceiling-waits'];

/** The legs of one run at `concurrency` on one stack: without the endpoint, with it, the ceiling (runOrder turns them round every other run). */
function legsOfOneRun(o: BenchOptions, s: OpenStack, concurrency: number, seconds: number): (() => Promise<LegResult>)[] {
  return [
    ...(o.legs.includes('saga') ? [() => runOursLeg(s.ctx, concurrency, seconds)] : []),
    ...(s.endpoint ? [() => runSagaWebhookLeg(s.ctx, s.db, s.endpoint!, concurrency, seconds)] : []),
    ...(o.legs.includes('ceiling') ? [() => runCeilingLeg(s.ctx, concurrency, seconds)] : []),
    ...(o.legs.includes('api-floor') ? [() => runApiFloorLeg(s.ctx, concurrency, seconds)] : []),
    ...(o.legs.includes('ceiling-waits') ? [() => runCeilingLeg(s.ctx, concurrency, seconds, 'ceiling-waits')] : []),
  ];
}

async function runLegs(s: OpenStack, legs: (() => Promise<LegResult>)[], measured: boolean): Promise<void> {
  for (const leg of legs) {
    const result = await leg();
    if (measured) s.legs.push(result);
    log(describeLeg(result));
  }
}

/** The legs that run once per stack after the measured runs: shape, soak, overload; then a second worker start. */
async function runStackOnlyLegs(o: BenchOptions, s: OpenStack): Promise<void> {
  const { ctx, stack } = s;
  if (o.legs.includes('shape')) {
    for (const kind of SAGA_KINDS) {
      const result = await runShapeLeg(ctx, kind, o.shapeSagas);
      s.shape.push(result);
      log(`shape ${kind}: ${result.completed}/${result.sagas} ${result.finalStatus}, ${result.history.events.toFixed(1)} events, ${result.history.workflowTasks.toFixed(1)} workflow tasks, machine ${result.cpuPerSaga.machine.toFixed(3)} CPU-s/saga${result.firstError ? ` — ${result.firstError}` : ''}`);
    }
  }
  if (o.legs.includes('soak')) {
    // "Below capacity": 60 % of what the saga leg sustained on this stack, unless a rate was given.
    const best = Math.max(0, ...s.legs.filter((l) => l.kind === 'ours').map((l) => l.sagasPerSecond));
    const [rate, rateSource] =
      o.soakRate !== undefined ? [o.soakRate, '--soak-rate'] : best > 0 ? [0.6 * best, `60 % of the saga leg's best (${best.toFixed(1)} sagas/s)`] : [6, 'default (no saga leg)'];
    log(`soak: ${rate.toFixed(1)} orders/s (${rateSource}) for ${o.soakSeconds} s…`);
    const result = await runSoakLeg(ctx, OVERLOAD_API, { rate, rateSource, seconds: o.soakSeconds, settleTimeoutMs: 60_000 + stack.config.PAYMENT_TIMEOUT + stack.config.CANCEL_WINDOW });
    s.soak.push(result);
    log(`soak: ${result.placements} placements, answers ${JSON.stringify(result.byStatus)}, ${result.served}/${result.accepted} PAID, worker RSS ${result.rssFirstFifthMiB.toFixed(0)} → ${result.rssLastFifthMiB.toFixed(0)} MiB (peak ${result.rssPeakMiB.toFixed(0)}), ${result.invariantViolations} invariant violations`);
  }
  if (o.legs.includes('overload')) {
    log(`overload: ${o.overloadCustomers} concurrent new customers for ${o.overloadSeconds} s…`);
    const result = await runOverloadLeg(ctx, OVERLOAD_API, o.overloadCustomers, o.overloadSeconds, 60_000 + stack.config.PAYMENT_TIMEOUT + stack.config.CANCEL_WINDOW);
    s.overload.push(result);
    log(`overload: ${result.acceptedPerSecond.toFixed(1)} accepted/s, ${result.shedPerSecond.toFixed(1)} shed/s, ${result.settled}/${result.accepted} settled, ${result.invariantViolations} invariant violations`);
  }
  const workerPid = stack.pids().worker[0];
  s.vmHwmMiB = workerPid === undefined ? undefined : processMemoryMiB(workerPid)?.peak;
  // A second start → polling figure, with the file system cache warm.
  await stack.stopOne('worker');
  await stack.startWorker();
}

/** Stops the stack (which flushes its services' span buffers, so the sink is counted only afterwards). */
async function closeStack(s: Omit<OpenStack, 'ctx'>): Promise<OtlpSinkStats | undefined> {
  await s.db.end().catch(() => undefined);
  await s.temporal.connection.close().catch(() => undefined);
  await s.stack.stop();
  await s.sink?.close();
  await s.receiver?.close();
  const otlp = s.sink?.stats();
  if (otlp) log(`OTLP sink: ${otlp.spans} spans in ${otlp.batches} batches (${Object.entries(otlp.byService).map(([name, n]) => `${name} ${n}`).join(', ')})`);
  return otlp;
}

function stackResults(o: BenchOptions, s: OpenStack, otlp: OtlpSinkStats | undefined): StackResults {
  const c = s.stack.config;
  return {
    legs: s.legs,
    shape: s.shape,
    overload: s.overload,
    soak: s.soak,
    temporal: { mode: s.stack.temporal!.mode, args: s.stack.temporal!.args },
    vmHwmMiB: s.vmHwmMiB,
    startToPollingMs: s.stack.workerStartMs,
    postgres: s.postgres,
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
      ...workerProcessSettings(s.stack),
      ...o.env,
    },
    otlp,
    nodeEnv: s.nodeEnv,
    commands: s.commands,
  };
}

/**
 * Benches one group of stacks side by side (lib/side-by-side.ts): all up at once, each on a database of its own,
 * their measured runs taking turns. An idle stack costs the running one little (its pollers wait). Without --compare
 * a group is one stack.
 */
async function benchStacks(o: BenchOptions, group: StackConfiguration[], databaseUrl: string): Promise<StackResults[]> {
  const opened: OpenStack[] = [];
  try {
    for (const [i, config] of group.entries()) opened.push(await openStack(o, config, stackDatabaseUrl(databaseUrl, i)));
    const measuredLegs = o.legs.some((leg) => RUN_LEGS.includes(leg));
    if (measuredLegs && o.warmupSeconds > 0) {
      for (const s of opened) {
        log(`${describeConfiguration(s.config)}: stack up (worker polling ${s.stack.workerStartMs[0].toFixed(0)} ms after spawn); warming up ${o.warmupSeconds} s per leg…`);
        await runLegs(s, legsOfOneRun(o, s, 16, o.warmupSeconds), false);
      }
    }
    for (const concurrency of measuredLegs ? o.concurrency : []) {
      for (let run = 0; run < o.runs; run++) {
        for (const s of runOrder(opened, run)) await runLegs(s, runOrder(legsOfOneRun(o, s, concurrency, o.durationSeconds), run), true);
      }
    }
    for (const s of opened) await runStackOnlyLegs(o, s);
  } catch (err) {
    for (const s of opened) await closeStack(s).catch(() => undefined);
    throw err;
  }
  const results: StackResults[] = [];
  for (const s of opened) results.push(stackResults(o, s, await closeStack(s)));
  return results;
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
    for (const group of stackGroups(configurations)) {
      const results = await benchStacks(o, group, databaseUrl);
      group.forEach((config, i) => stacks.push({ config, ...results[i] }));
    }
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
