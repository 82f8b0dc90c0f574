/**
 * Where a placement's time goes at C = 1: the saga's `POST /orders` against the ceiling's bare update-with-start
 * (bench/ceiling/), one at a time, taking turns, on the same stack the main bench starts. Each placement's workflow
 * history gives its steps (bench/lib/placement-path.ts): the client → the workflow's start, the first workflow task
 * taken, each local activity's run, the rest of the task (the workflow code's activations and the completion's trip
 * to the server), the update answered, the client answered. Prints the median of each step per leg and the difference.
 *
 * Then it replays one closed paid history of each leg, to put a figure on what the workflow code alone costs the worker.
 *
 *   npm run bench:placement-path -- [--orders 60] [--warmup 15] [--persistence dev|postgres] [--replays 150] [--output bench/results/NAME]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { System, TemporalPersistence } from '../devtools/launcher';
import { launch, systemServices } from '../devtools/launcher';
import { describeMachine } from '../devtools/machine';
import { orderWorkflowId } from '../workflows/order/definitions';
import { ceilingWorkflowId, payCeiling, placeCeiling } from './ceiling/client';
import { newCustomer } from './lib/customers';
import type { LegContext } from './lib/legs';
import { placeOrderAs, SAGA_API, SAGA_API_ENV, SAGA_SIMULATOR_ENV } from './lib/legs';
import { OrderFollower } from './lib/order-follower';
import type { MeasuredPlacement, PathEvent } from './lib/placement-path';
import { pathRows, placementTimeline } from './lib/placement-path';
import { createBenchProducts } from './lib/products';
import { benchDatabaseUrl } from './reserve';
import { summarize } from './lib/stats';
import { temporalReplayOptions } from '../src/temporal/options';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '15' },
    persistence: { type: 'string', default: 'dev' },
    output: { type: 'string' },
    replays: { type: 'string', default: '150' },
  },
});
const replays = Number(values.replays);
const rounds = 5;
const orders = Number(values.orders);
const warmup = Number(values.warmup);
const persistence = values.persistence as TemporalPersistence;
if (
  !Number.isInteger(orders) ||
  orders < 1 ||
  !Number.isInteger(warmup) ||
  warmup < 0 ||
  !Number.isInteger(replays) ||
  replays < 1 ||
  (persistence !== 'dev' && persistence !== 'postgres')
) {
  process.stderr.write('usage: npm run bench:placement-path -- [--orders N ≥ 1] [--warmup N ≥ 0] [--persistence dev|postgres] [--replays N ≥ 1] [--output PATH]\n');
  process.exit(2);
}
const log = (message: string) => process.stderr.write(`[placement-path] ${message}\n`);

/** One placement of a leg, followed to PAID (ours) or its signal handled (the ceiling), as the main bench's C = 1. */
type Leg = (ctx: LegContext) => Promise<{ workflowId: string; sent: number; answered: number }>;

const ours: Leg = async (ctx) => {
  const customer = await newCustomer(ctx.stack.config);
  const sent = Date.now();
  const placed = await placeOrderAs(ctx, SAGA_API, customer);
  const answered = sent + placed.ms;
  if (placed.status !== 201 || !placed.orderId) throw new Error(`POST /orders answered ${placed.status}: ${placed.error}`);
  await ctx.follower.wait(placed.orderId, 'paid');
  return { workflowId: orderWorkflowId(placed.orderId), sent, answered };
};

const ceiling: Leg = async (ctx) => {
  const { TEMPORAL_TASK_QUEUE, PAYMENT_TIMEOUT, CANCEL_WINDOW, NOTIFY_MAX_ATTEMPTS } = ctx.stack.config;
  const id = randomUUID();
  const sent = Date.now();
  const t0 = performance.now();
  await placeCeiling(ctx.temporal, TEMPORAL_TASK_QUEUE, { id, paymentTimeoutMs: PAYMENT_TIMEOUT, cancelWindowMs: CANCEL_WINDOW, notifyMaxAttempts: NOTIFY_MAX_ATTEMPTS });
  const answered = sent + (performance.now() - t0);
  await payCeiling(ctx.temporal, id);
  return { workflowId: ceilingWorkflowId(id), sent, answered };
};

async function measure(client: Client, placed: Awaited<ReturnType<Leg>>): Promise<MeasuredPlacement | undefined> {
  const events = ((await client.workflow.getHandle(placed.workflowId).fetchHistory()).events ?? []) as PathEvent[];
  const timeline = placementTimeline(events);
  return timeline && { sent: placed.sent, answered: placed.answered, timeline };
}

/** What the run measured: each leg's placements, and one closed workflow of each leg (ours, then the ceiling). */
interface RunResult {
  measured: MeasuredPlacement[][];
  closed: string[];
}

async function run(stack: System, db: PgClient, client: Client): Promise<RunResult> {
  const ctx = { stack, products: await createBenchProducts(db, 20), follower: new OrderFollower(db), temporal: client } as Pick<
    LegContext,
    'stack' | 'products' | 'follower' | 'temporal'
  > as LegContext;
  const legs = [ours, ceiling];
  log(`warm-up: ${warmup} placements of each leg`);
  for (let i = 0; i < warmup; i++) for (const leg of legs) await leg(ctx);
  log(`measuring: ${orders} placements of each leg, taking turns`);
  const placed = legs.map(() => [] as Awaited<ReturnType<Leg>>[]);
  for (let i = 0; i < orders; i++) for (const [j, leg] of legs.entries()) placed[j].push(await leg(ctx));
  const measured = await Promise.all(placed.map(async (leg) => (await Promise.all(leg.map((p) => measure(client, p)))).filter((m) => m !== undefined)));
  measured.forEach((m, j) => {
    if (m.length < orders) log(`${j === 0 ? 'ours' : 'ceiling'}: ${orders - m.length} histories had no readable placement path`);
  });
  // The first of each leg's measured workflows, once closed (after CANCEL_WINDOW): a whole paid history to replay.
  const closed = placed.map((leg) => leg[0].workflowId);
  await Promise.all(closed.map((workflowId) => client.workflow.getHandle(workflowId).result()));
  return { measured, closed };
}

/**
 * What the workflow code costs the worker, with no I/O at all: one closed paid history of each leg replayed
 * `replays` times in this process (the worker's replay mode, the stack's bundle and payload codec), the legs taking
 * turns round by round; CPU-ms per replay of the whole process (its workflow thread included), per round.
 */
async function replayCost(stack: System, client: Client, closed: string[]): Promise<number[][]> {
  const codePath = stack.workflowBundlePath;
  if (!codePath) throw new Error('the stack has no prebuilt workflow bundle to replay with');
  const histories = await Promise.all(closed.map(async (workflowId) => (await client.workflow.getHandle(workflowId).fetchHistory())));
  const options = { workflowBundle: { codePath }, ...temporalReplayOptions(stack.config) };
  const replay = async (j: number, count: number) => {
    const all = async function* () {
      for (let i = 0; i < count; i++) yield { workflowId: `${closed[j]}-replay-${i}`, history: histories[j] };
    };
    for await (const result of Worker.runReplayHistories(options, all())) if (result.error) throw result.error;
  };
  // A first round of each, not counted: the JIT's warm-up. Every round starts a replay worker of its own, so each
  // counted round's figure holds one worker start (loading the bundle) spread over its replays, alike for both legs.
  for (const j of histories.keys()) await replay(j, Math.min(replays, 20));
  const perLeg: number[][] = closed.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const j of histories.keys()) {
      const before = process.cpuUsage();
      await replay(j, replays);
      const used = process.cpuUsage(before);
      perLeg[j].push((used.user + used.system) / 1000 / replays);
    }
  }
  return perLeg;
}

function report({ measured }: RunResult, replayed: number[][]): string {
  const machine = describeMachine();
  const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(1));
  const rows = pathRows(measured).map(({ step, medians: [o, c] }) => {
    const diff = o !== undefined && c !== undefined ? (o - c >= 0 ? '+' : '') + (o - c).toFixed(1) : '–';
    return `| ${step} | ${fmt(o)} | ${fmt(c)} | ${diff} |`;
  });
  return [
    `# Where a placement's time goes at C = 1`,
    '',
    `Run ${new Date().toISOString()}; machine: nproc ${machine.nproc}, ${machine.cpuModel}, Node ${machine.node}; Temporal: ${persistence === 'dev' ? 'the dev server' : 'the server on PostgreSQL'}; services compiled, NODE_ENV=production, as \`npm run bench\` runs them.`,
    `${measured[0].length} placements of ours (\`POST /orders\`, each followed to PAID) and ${measured[1].length} of the ceiling (update-with-start, then its signal), one at a time, taking turns, after ${warmup} of each to warm up. Each step is the median over the placements, in ms. The local activities are the first workflow task's, in the order they ran (ours: createOrderRecord, reserveOrderStock, requestPayment; the ceiling's do nothing), each step its own run from being scheduled to its result, as its marker has it; the workflow code's activations between them are in the step after them, with the completion's trip to the server (bench/lib/placement-path.ts says why). The medians of the steps need not add up to the whole placement's.`,
    '',
    '| step | ours | ceiling | ours − ceiling |',
    '|---|---|---|---|',
    ...rows,
    '',
    `## What the workflow code costs the worker, without I/O`,
    '',
    `One closed paid history of each leg, ours and the ceiling's, replayed ${replays} times in the bench's process with the stack's workflow bundle and payload codec (the worker's replay mode: the same workflow code and SDK, no server, no activity run), after a first round of each that is not counted, the legs taking turns; CPU-ms per replay, each round, then the median.`,
    '',
    '| leg | CPU-ms per replay (rounds) | median |',
    '|---|---|---|',
    ...replayed.map((perRound, j) => `| ${j === 0 ? 'ours' : 'ceiling'} | ${perRound.map((v) => v.toFixed(1)).join(', ')} | ${summarize(perRound).p50.toFixed(1)} |`),
    '',
  ].join('\n');
}

async function main() {
  const databaseUrl = benchDatabaseUrl();
  if (persistence === 'postgres') process.env.TEMPORAL_HISTORY_SHARDS ??= '4';
  const stack = await launch({
    name: 'bench',
    databaseUrl,
    recreateDatabase: true,
    services: systemServices({ workers: 1, workerEntry: 'bench/ceiling/worker.ts', env: { simulator: SAGA_SIMULATOR_ENV, api: SAGA_API_ENV } }),
    runtime: 'compiled',
    ports: 'free',
    temporal: { persistence },
    env: { PAYMENT_TIMEOUT: '10s', CANCEL_WINDOW: '5s' },
    logs: 'files',
    workflowBundle: { build: 'bench/ceiling/workflows' },
    log,
  });
  const db = new PgClient({ connectionString: databaseUrl, application_name: 'bench-driver' });
  let client: Client | undefined;
  try {
    await db.connect();
    client = await stack.client();
    const result = await run(stack, db, client);
    log(`replaying one closed paid history of each leg ${replays} times, ${rounds} rounds`);
    const markdown = report(result, await replayCost(stack, client, result.closed));
    process.stdout.write(markdown);
    if (values.output) {
      writeFileSync(`${values.output}.md`, markdown);
      log(`written to ${values.output}.md`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
