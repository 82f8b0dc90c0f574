/**
 * `npm run bench -- [options]`: the order saga end to end on stacks the bench starts itself (free ports, its own
 * database), one stack per configuration (persistence × workers × shards), the chosen legs on each.
 *
 * Legs (--legs, comma-separated, default saga,ceiling,shape,soak,overload,reserve):
 *   saga      tok_visa orders through POST /orders, closed loop at each --concurrency, followed to PAID +
 *             confirmation: sagas/s, POST latency, CPU-s per saga by process, worker peak RSS.
 *   ceiling   the no-op workflow of a paid saga's shape (bench/ceiling/workflow.ts) at the same C on the same stack,
 *             followed to the same point (PAID + confirmation).
 *   shape     per saga kind (paid, declined, timeout, cancelled, refunded): --shape-sagas orders of that kind, each
 *             followed until its workflow closes; events, workflow tasks, activity tasks and local activities read
 *             from the histories, CPU-s per saga by process and for the machine.
 *   overload  --overload-customers concurrent new customers for --overload-seconds on an API with the production
 *             admission settings: accepted/s (201/202), shed/s (503/429), latency by status; then every accepted
 *             order must settle and the invariant check (stock, payments, notifications) must pass.
 *   soak      a steady open-loop rate of tok_visa placements by new customers for --soak-seconds on the API with the
 *             production admission settings, at 60 % of the saga leg's best sagas/s on that stack (or --soak-rate
 *             orders/s when the saga leg did not run or the option is given): answers by status (503s and 429s
 *             are what was shed below capacity), the worker's RSS every 5 s, every accepted order settled,
 *             invariants checked.
 *   reserve   reservation throughput vs pgbench running the same SQL (no Temporal; once per bench run).
 *   saga-webhook  (not in the default list) the saga leg with one endpoint subscribed to every outbound webhook
 *             event, interleaved with the saga leg at each C: sagas/s with vs without, the loss in %, and the lag
 *             from each status change to the relay's first attempt and to the receiver (p50/p99).
 *   api-floor  (not in the default list) the ceiling placed and paid through an HTTP service with the API's middleware
 *             and Temporal client and nothing else (bench/ceiling/front.ts), at each C beside the other legs: the
 *             API's CPU per order against that floor's.
 *   ceiling-waits  (not in the default list) the ceiling whose activities wait on PostgreSQL (`SELECT 1`) as often
 *             as the saga's make a round trip (statement or provider call), at each C beside the other legs: the
 *             engine with the saga's waits on I/O and none of its work.
 *
 * Options:
 *   --runtime compiled|tsx            how the services run (default compiled): compiled = tsc's JavaScript (the
 *                                     production build's settings, as the Docker image runs it) under plain node;
 *                                     tsx = the TypeScript through the tsx loader, as `npm start` runs it. Either way
 *                                     with NODE_ENV=production (unless --env or --compare sets another)
 *   --persistence dev|postgres|both   Temporal under the stack (default: TEMPORAL_PERSISTENCE, else dev)
 *   --workers 1[,2,4]                 worker processes (default: WORKERS, else 1); a list runs one stack each
 *   --shards 4[,1,16]                 TEMPORAL_HISTORY_SHARDS, postgres mode only; a list runs one stack each
 *   --concurrency 1,16,64             closed-loop concurrency of the saga and ceiling legs
 *   --duration 30                     seconds per saga/ceiling run
 *   --runs 2                          runs per (leg, C), interleaved ours, ceiling, then ceiling, ours
 *   --warmup 10                       seconds of ours + ceiling at C=16 before the first measured run
 *   --legs saga,ceiling,shape,soak,overload,reserve
 *   --shape-sagas 40                  orders per saga kind in the shape leg (placed 8 at a time)
 *   --payment-timeout 10s             PAYMENT_TIMEOUT of the stack (the timeout kind waits it out)
 *   --cancel-window 5s                CANCEL_WINDOW of the stack (paid sagas complete after it; refunds cancel within it)
 *   --overload-customers 128  --overload-seconds 20
 *   --soak-seconds 300  --soak-rate 6   the soak leg's length, and its rate (default: 60 % of the saga leg's best,
 *                                     else 6 orders/s)
 *   --reserve-seconds 3               per run of the reserve leg
 *   --env KEY=VALUE                   a setting for every process of the stack (repeatable), e.g.
 *                                     --env PAYLOAD_ENCRYPTION_KEYS=… --env OTEL_EXPORTER_OTLP_ENDPOINT=http://…
 *                                     (encryption off: --env NODE_ENV=development --env PAYLOAD_ENCRYPTION=off,
 *                                     since the stack runs with NODE_ENV=production, which refuses it; --compare
 *                                     does this for you)
 *   --compare encryption,tracing      what payload encryption and tracing cost (sampled-tracing: at production's default
 *                                     of one trace in ten; unsampled-tracing: on, no trace kept): one stack per setting
 *                                     (encryption off, the defaults, tracing unsampled, sampled or on; all with
 *                                     NODE_ENV=development, which allows clear-text payloads), the same legs on each
 *                                     (default: saga only; on the dev server the stacks are up together and take turns
 *                                     run by run), then a table of sagas/s and POST /orders p50 per setting with its
 *                                     ratio to the factor turned off. Tracing exports to an OTLP/HTTP sink inside the
 *                                     bench, which counts the spans it receives
 *   --products 20                     products the orders draw from (ample stock)
 *   --output bench/results/latest     writes <output>.json and <output>.md
 *   --quick                           a smoke check: every leg a few seconds (duration 3, runs 1, warm-up 2,
 *                                     5 sagas per kind, soak 10 s, overload 16 customers × 5 s, reserve 1 s)
 *   --help
 *
 * Environment: BENCH_DATABASE_URL (default: DATABASE_URL's server, database order_saga_bench),
 * BENCH_TEMPORAL_DYNAMIC_CONFIG="key=value;key=value" or "none" (default: npm start's dev-server flags),
 * and any service setting (WORKER_MAX_CONCURRENT_ACTIVITIES, DATABASE_POOL_MAX, …), which the services inherit.
 */
import { readFileSync } from 'node:fs';
import type { Runtime } from '../../devtools/launcher/compiled';
import { RUNTIMES } from '../../devtools/launcher/compiled';
import { TEMPORAL_MODES } from '../../devtools/launcher/temporal';
import type { CostFactor } from './cost-settings';
import { COMPARED_SETTINGS, COST_FACTORS, costSettings } from './cost-settings';

/** The default legs. */
export const ALL_LEGS = ['saga', 'ceiling', 'shape', 'soak', 'overload', 'reserve'] as const;
/** Every leg --legs takes. */
export const KNOWN_LEGS = [...ALL_LEGS, 'saga-webhook', 'api-floor', 'ceiling-waits'] as const;
export type LegName = (typeof KNOWN_LEGS)[number];

export interface BenchOptions {
  runtime: Runtime;
  persistence: string[];
  workers: number[];
  shards: number[];
  concurrency: number[];
  durationSeconds: number;
  runs: number;
  warmupSeconds: number;
  legs: LegName[];
  shapeSagas: number;
  paymentTimeout: string;
  cancelWindow: string;
  overloadCustomers: number;
  overloadSeconds: number;
  soakSeconds: number;
  /** --soak-rate: orders/s; undefined: 60 % of the saga leg's best on the stack (6 without a saga leg). */
  soakRate?: number;
  reserveSeconds: number;
  env: Record<string, string>;
  /** --compare: one stack per setting these factors need (see cost.ts); empty: one stack per configuration. */
  compare: CostFactor[];
  products: number;
  output: string;
  quick: boolean;
}

export class UsageError extends Error {}

/** The usage text: the comment at the top of this file. */
export function usage(): string {
  const source = readFileSync(__filename, 'utf8');
  return source.slice(source.indexOf('/**') + 4, source.indexOf('*/')).replace(/^ \* ?/gm, '');
}

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

function positiveInts(name: string, value: string): number[] {
  const numbers = list(value).map(Number);
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--${name}: expected positive integers, got "${value}"`);
  return numbers;
}

function positiveInt(name: string, value: string): number {
  const [n, ...more] = positiveInts(name, value);
  if (more.length) throw new UsageError(`--${name}: expected one number, got "${value}"`);
  return n;
}

/** Parses argv (after the script name); `env` supplies TEMPORAL_PERSISTENCE and WORKERS defaults. */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = argv.includes('--quick');
  let legsGiven = false;
  const o: BenchOptions = {
    runtime: 'compiled',
    persistence: [env.TEMPORAL_PERSISTENCE || 'dev'],
    workers: env.WORKERS ? positiveInts('workers', env.WORKERS) : [1],
    shards: env.TEMPORAL_HISTORY_SHARDS ? positiveInts('shards', env.TEMPORAL_HISTORY_SHARDS) : [4],
    concurrency: [1, 16, 64],
    durationSeconds: quick ? 3 : 30,
    runs: quick ? 1 : 2,
    warmupSeconds: quick ? 2 : 10,
    legs: [...ALL_LEGS],
    shapeSagas: quick ? 5 : 40,
    paymentTimeout: '10s',
    cancelWindow: '5s',
    overloadCustomers: quick ? 16 : 128,
    overloadSeconds: quick ? 5 : 20,
    soakSeconds: quick ? 10 : 300,
    reserveSeconds: quick ? 1 : 3,
    env: {},
    compare: [],
    products: 20,
    output: 'bench/results/latest',
    quick,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') continue;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : undefined;
    if (!name) throw new UsageError(`unexpected argument "${arg}" (see --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    switch (name) {
      case 'runtime':
        if (!(RUNTIMES as readonly string[]).includes(value)) throw new UsageError(`--runtime: expected ${RUNTIMES.join(' or ')}, got "${value}"`);
        o.runtime = value as Runtime;
        break;
      case 'persistence': {
        const modes = value === 'both' ? ['dev', 'postgres'] : list(value);
        o.persistence = modes;
        break;
      }
      case 'workers':
        o.workers = positiveInts(name, value);
        break;
      case 'shards':
        o.shards = positiveInts(name, value);
        break;
      case 'concurrency':
        o.concurrency = positiveInts(name, value);
        break;
      case 'duration':
        o.durationSeconds = positiveInt(name, value);
        break;
      case 'runs':
        o.runs = positiveInt(name, value);
        break;
      case 'warmup':
        o.warmupSeconds = Number(value);
        if (!(o.warmupSeconds >= 0)) throw new UsageError(`--warmup: expected seconds ≥ 0, got "${value}"`);
        break;
      case 'legs': {
        const legs = list(value);
        const unknown = legs.filter((l) => !(KNOWN_LEGS as readonly string[]).includes(l));
        if (unknown.length || legs.length === 0) throw new UsageError(`--legs: unknown leg(s) ${unknown.join(', ') || '(none given)'}; known: ${KNOWN_LEGS.join(', ')}`);
        o.legs = legs as LegName[];
        legsGiven = true;
        break;
      }
      case 'compare': {
        const factors = list(value);
        const unknown = factors.filter((f) => !(COST_FACTORS as readonly string[]).includes(f));
        if (unknown.length || factors.length === 0) throw new UsageError(`--compare: unknown factor(s) ${unknown.join(', ') || '(none given)'}; known: ${COST_FACTORS.join(', ')}`);
        o.compare = factors as CostFactor[];
        break;
      }
      case 'shape-sagas':
        o.shapeSagas = positiveInt(name, value);
        break;
      case 'payment-timeout':
        o.paymentTimeout = value;
        break;
      case 'cancel-window':
        o.cancelWindow = value;
        break;
      case 'overload-customers':
        o.overloadCustomers = positiveInt(name, value);
        break;
      case 'overload-seconds':
        o.overloadSeconds = positiveInt(name, value);
        break;
      case 'soak-seconds':
        o.soakSeconds = positiveInt(name, value);
        break;
      case 'soak-rate':
        o.soakRate = Number(value);
        if (!(o.soakRate > 0)) throw new UsageError(`--soak-rate: expected orders per second > 0, got "${value}"`);
        break;
      case 'reserve-seconds':
        o.reserveSeconds = positiveInt(name, value);
        break;
      case 'products':
        o.products = positiveInt(name, value);
        break;
      case 'output':
        o.output = value;
        break;
      case 'env': {
        const at = value.indexOf('=');
        if (at < 1) throw new UsageError(`--env: expected KEY=VALUE, got "${value}"`);
        o.env[value.slice(0, at)] = value.slice(at + 1);
        break;
      }
      default:
        throw new UsageError(`unknown option --${name} (see --help)`);
    }
  }
  if (o.compare.length) {
    if (!legsGiven) o.legs = ['saga'];
    if (!o.legs.includes('saga')) throw new UsageError('--compare reads its table off the saga leg: add saga to --legs');
    const clash = COMPARED_SETTINGS.filter((key) => key in o.env);
    if (clash.length) throw new UsageError(`--compare sets ${clash.join(', ')} itself: drop --env ${clash.join(', ')}`);
  }
  const known = Object.keys(TEMPORAL_MODES);
  const unsupported = o.persistence.filter((m) => !known.includes(m));
  if (unsupported.length) {
    throw new UsageError(
      `--persistence ${unsupported.join(',')}: this launcher runs Temporal only as ${known.join(', ')} (devtools/launcher/temporal.ts, TEMPORAL_MODES)`,
    );
  }
  return o;
}

/**
 * One stack of a bench run: which Temporal, how many workers, how many history shards (postgres only), and with
 * --compare which setting (see cost.ts).
 */
export interface StackConfiguration {
  persistence: string;
  workers: number;
  /** undefined: the mode has no shard setting (the dev server has one shard). */
  shards?: number;
  /** --compare only: the setting's name (`encryption-off`, `default`, `tracing-sampled`, `tracing-on`). */
  setting?: string;
}

/** Whether two results ran on the same stack (mode, workers, shards, setting). */
export const sameStack = (a: StackConfiguration, b: StackConfiguration) =>
  a.persistence === b.persistence && a.workers === b.workers && a.shards === b.shards && a.setting === b.setting;

/** Every combination asked for; shards multiply only the postgres mode, settings every stack kind. */
export function stackConfigurations(o: BenchOptions): StackConfiguration[] {
  const kinds = o.persistence.flatMap((persistence) =>
    o.workers.flatMap((workers) => (persistence === 'postgres' ? o.shards.map((shards) => ({ persistence, workers, shards })) : [{ persistence, workers }])),
  );
  if (o.compare.length === 0) return kinds;
  return kinds.flatMap((kind) => costSettings(o.compare).map((s) => ({ ...kind, setting: s.name })));
}

export const describeConfiguration = (c: StackConfiguration) =>
  `${c.persistence}, ${c.workers} worker${c.workers > 1 ? 's' : ''}${c.shards ? `, ${c.shards} shard${c.shards > 1 ? 's' : ''}` : ''}${c.setting ? `, ${c.setting}` : ''}`;
