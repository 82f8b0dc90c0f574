import type { ReserveComparison } from '../reserve';
import { formatReserveTable } from '../reserve';
import type { LegResult } from './legs';
import type { Runtime } from '../../devtools/launcher/compiled';
import type { MachineDescription } from '../../devtools/machine';
import type { CpuBreakdown } from './meter';
import { CPU_KEYS } from './meter';
import type { StackConfiguration } from './options';
import { describeConfiguration, sameStack } from './options';
import type { OverloadResult } from './overload';
import type { ShapeResult } from './shape';
import type { SoakResult } from './soak';
import { mean } from './stats';
import type { CostRow, OtlpReceived } from './cost-table';
import { costTable, otlpLines } from './cost-table';
import type { SagaRow } from './saga-rows';
import type { WebhookCostRow } from './webhook-leg';

export interface BenchResults {
  benchmark: 'saga';
  at: string;
  durationSeconds: number;
  machine: MachineDescription;
  postgres: string;
  /** How Temporal ran, per configuration (the first one's CLI version and arguments stay in `temporal`). */
  temporal: { cli: string; args: string[] };
  temporalServers: (StackConfiguration & { mode: string; args: string[] })[];
  /** The command-line options of the run, and the settings in effect (service settings that matter for throughput). */
  options: Record<string, unknown>;
  /**
   * How the services ran: `compiled` (tsc's JavaScript under plain node, as the production image) or `tsx`; the
   * NODE_ENV they had (every stack's, comma-separated when they differ), and the first stack's command lines.
   */
  runtime: { services: Runtime; nodeEnv: string; commands: Record<string, string> };
  settings: Record<string, string | number | boolean>;
  legs: LegResult[];
  saga: SagaRow[];
  /** The saga-webhook leg beside the saga leg: what one subscribed endpoint costs, and its events' lag. */
  webhookCost?: WebhookCostRow[];
  /** Per configuration × saga kind: history shape and CPU per saga (the shape leg). */
  shape: ShapeResult[];
  overload: OverloadResult[];
  /** Older result files have no soak leg. */
  soak?: SoakResult[];
  reserve?: ReserveComparison;
  /** --compare: each factor's baseline and factor-on rows, and what the OTLP sink received from each traced stack. */
  cost?: { factors: string[]; rows: CostRow[]; otlp: OtlpReceived[] };
  worker: { rssPeakMiB: number; vmHwmMiB?: number; startToPollingMs: number[] };
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '–');
const rates = (values: number[]) => `${f1(mean(values))} (${values.map(f1).join(', ')})`;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function webhookCostTable(rows: WebhookCostRow[]): string {
  return table(
    [
      'stack',
      'C',
      'sagas/s, no endpoint (runs)',
      'sagas/s, one endpoint (runs)',
      'loss',
      'events (received / deliveries)',
      'change → first attempt p50/p99 ms',
      'change → receiver p50/p99 ms',
      'CPU-s per saga without → with: worker (relay) / PostgreSQL / driver (receiver)',
    ],
    rows.map((r) => [
      describeConfiguration(r),
      String(r.concurrency),
      rates(r.withoutSagasPerSecond),
      rates(r.withSagasPerSecond),
      `${f1(r.lossPercent)} %`,
      `${r.events} (${r.received} / ${r.deliveries})`,
      `${f0(r.toFirstAttempt.p50)} / ${f0(r.toFirstAttempt.p99)}`,
      `${f0(r.toReceiver.p50)} / ${f0(r.toReceiver.p99)}`,
      (['worker', 'postgres', 'driver'] as const).map((k) => `${f3(r.cpuPerOrder[k].without)} → ${f3(r.cpuPerOrder[k].with)}`).join(' / '),
    ]),
  );
}

export const WEBHOOK_COST_NOTE =
  'The saga leg and the saga-webhook leg interleaved at the same C on the same stack: saga-webhook enables one endpoint subscribed to every event (a receiver in the bench process, https with a certificate the stack trusts, answering 204) for its run only. Loss = 1 − with ÷ without (means of the runs). Lags are means of the runs’ percentiles, over every event of the run (5 per paid saga: pending, reserved, awaiting_payment, paid, completed), measured from the outbox row’s clock_timestamp() in the transaction of the status change (its commit follows within the statement) to the relay’s first attempt (the message’s attempts) and to the receiver getting it.';

export function sagaTable(rows: SagaRow[]): string {
  return table(
    ['stack', 'C', 'orders/run', 'ours sagas/s (runs)', 'ceiling sagas/s (runs)', 'ours ÷ ceiling', 'POST /orders p50/p95/p99 ms', 'ceiling update-with-start p50/p95/p99 ms', 'POST p50 ÷ UwS p50', 'end-to-end p50 ms ours/ceiling'],
    rows.map((r) => [
      describeConfiguration(r),
      String(r.concurrency),
      f0(r.orders),
      rates(r.oursSagasPerSecond),
      rates(r.ceilingSagasPerSecond),
      f2(r.throughputRatio),
      `${f1(r.oursPost.p50)} / ${f1(r.oursPost.p95)} / ${f1(r.oursPost.p99)}`,
      `${f1(r.ceilingUpdateWithStart.p50)} / ${f1(r.ceilingUpdateWithStart.p95)} / ${f1(r.ceilingUpdateWithStart.p99)}`,
      f2(r.p50Ratio),
      `${f0(r.oursEndToEndP50)} / ${f0(r.ceilingEndToEndP50)}`,
    ]),
  );
}

const CPU_HEADER = ['API', 'worker', 'Temporal', 'PostgreSQL', 'Temporal’s PostgreSQL', 'simulator', 'driver', 'machine total'];

/** Per order, by process: ours and the ceiling, per stack and C. */
export function cpuTable(rows: SagaRow[]): string {
  return table(
    ['stack', 'C', 'leg', ...CPU_HEADER],
    rows.flatMap((r) => {
      // Each leg that ran, in this order: ours, the ceiling, then the legs run beside them.
      const legs: [string, CpuBreakdown | undefined][] = [
        ['ours', r.oursSagasPerSecond.length ? r.cpuPerOrder.ours : undefined],
        ['ceiling', r.ceilingSagasPerSecond.length ? r.cpuPerOrder.ceiling : undefined],
        ['api floor', r.cpuPerOrder.apiFloor],
        ['ceiling with waits', r.cpuPerOrder.ceilingWaits],
      ];
      return legs.flatMap(([leg, cpu]) => (cpu ? [[describeConfiguration(r), String(r.concurrency), leg, ...CPU_KEYS.map((k) => f3(cpu[k]))]] : []));
    }),
  );
}

/** The shape leg: one row per configuration × saga kind. */
export function shapeTable(rows: ShapeResult[]): string {
  return table(
    ['stack', 'kind', 'sagas (closed as expected)', 'final status', 'history events (min–max)', 'workflow tasks', 'activity tasks', 'local activities'],
    rows.map((r) => [
      describeConfiguration(r),
      r.sagaKind,
      `${r.sagas} (${r.completed})`,
      r.finalStatus,
      `${f1(r.history.events)} (${r.history.eventsMin}–${r.history.eventsMax})`,
      f1(r.history.workflowTasks),
      f1(r.history.activityTasks),
      f1(r.history.localActivities),
    ]),
  );
}

export function shapeCpuTable(rows: ShapeResult[]): string {
  return table(
    ['stack', 'kind', ...CPU_HEADER],
    rows.map((r) => [describeConfiguration(r), r.sagaKind, ...CPU_KEYS.map((k) => f3(r.cpuPerSaga[k]))]),
  );
}

/** The soak leg: a steady rate below capacity; what was shed, and the worker's memory over time. */
export function soakTable(rows: SoakResult[]): string {
  return [
    table(
      ['stack', 'rate (source)', 'placements × s', 'answers by status', 'shed (503+429)', 'POST p50/p99 ms', 'accepted → PAID', 'worker RSS first fifth → last fifth (peak) MiB', 'CPU-s per order API / worker / PostgreSQL / machine', 'invariant violations'],
      rows.map((r) => [
        describeConfiguration(r),
        `${f1(r.rate)}/s (${r.rateSource})`,
        `${r.placements} × ${f0(r.seconds)}`,
        Object.entries(r.byStatus)
          .map(([s, n]) => `${s === '0' ? 'no answer' : s}: ${n}`)
          .join(', '),
        String(r.shed),
        `${f0(r.latency.p50)} / ${f0(r.latency.p99)}`,
        `${r.accepted} → ${r.served}`,
        `${f0(r.rssFirstFifthMiB)} → ${f0(r.rssLastFifthMiB)} (${f0(r.rssPeakMiB)})`,
        (['api', 'worker', 'postgres', 'machine'] as const).map((k) => f3(r.cpuPerOrder[k])).join(' / '),
        String(r.invariantViolations),
      ]),
    ),
    '',
    ...rows.map((r) => `- ${describeConfiguration(r)}: worker RSS (MiB) every 5 s: ${r.rss.map((s) => f0(s.rssMiB)).join(', ')}`),
  ].join('\n');
}

/** The overload leg: throughput of answers, and the latency of each kind of answer. */
export function overloadTable(rows: OverloadResult[]): string {
  const statuses = [...new Set(rows.flatMap((r) => Object.keys(r.latency)))].sort();
  return [
    table(
      ['stack', 'customers × s', 'accepted/s (201+202)', 'shed/s (503+429)', 'answers by status', 'accepted → settled', 'invariant violations'],
      rows.map((r) => [
        describeConfiguration(r),
        `${r.customers} × ${f0(r.seconds)}`,
        f1(r.acceptedPerSecond),
        f1(r.shedPerSecond),
        Object.entries(r.byStatus)
          .map(([s, n]) => `${s === '0' ? 'no answer' : s}: ${n}`)
          .join(', '),
        `${r.accepted} → ${r.settled} (${Object.entries(r.settledStatuses)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')})`,
        String(r.invariantViolations),
      ]),
    ),
    '',
    table(
      ['stack', 'answer', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      rows.flatMap((r) =>
        statuses
          .filter((s) => r.latency[s])
          .map((s) => {
            const l = r.latency[s];
            return [describeConfiguration(r), s === '0' ? 'no answer' : s, String(l.count), f0(l.p50), f0(l.p95), f0(l.p99), f0(l.max)];
          }),
      ),
    ),
  ].join('\n');
}

const PROCESS_NAMES: Record<string, string> = { api: 'the API', worker: 'the worker', temporal: 'the Temporal server', postgres: 'PostgreSQL', simulator: 'the simulator' };

/** A few sentences read off the figures (so they stay true when the figures change). */
export function interpretation(results: BenchResults): string[] {
  // Read off the first stack; the tables below hold every one.
  const first = results.saga[0];
  const rows = results.saga.filter((r) => first && sameStack(r, first) && r.oursSagasPerSecond.length && r.ceilingSagasPerSecond.length);
  if (rows.length === 0) return [];
  const ratios = rows.map((r) => r.throughputRatio);
  const busiest = rows.reduce((a, b) => (mean(b.oursSagasPerSecond) > mean(a.oursSagasPerSecond) ? b : a));
  const c = busiest.cpuPerOrder;
  const services = ['api', 'worker', 'temporal', 'postgres', 'simulator'] as const;
  const top = [...services].sort((a, b) => c.ours[b] - c.ours[a]);
  const oursSystem = services.reduce((s, k) => s + c.ours[k], 0);
  const ceilingSystem = services.reduce((s, k) => s + c.ceiling[k], 0);
  const coresBusy = c.ours.machine * mean(busiest.oursSagasPerSecond);
  const lines = [
    `- On ${describeConfiguration(first)}. Throughput: the saga reaches ${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))} of the engine’s ceiling; its best is ${f1(mean(busiest.oursSagasPerSecond))} sagas/s at C=${busiest.concurrency}.` +
      ` There the machine was busy ${f1(coresBusy)} CPU-seconds per second of ${results.machine.nproc} cores: the run is CPU-bound, so throughput is CPU per saga.`,
    `- Where the CPU goes (C=${busiest.concurrency}, per order): ${top.map((k) => `${PROCESS_NAMES[k]} ${f3(c.ours[k])} s`).join(', ')} — ${f3(oursSystem)} s in all, against ${f3(ceilingSystem)} s for the no-op ceiling.` +
      ` The engine’s own share (dev server + worker running the workflow) is most of it; what the saga adds is the API, PostgreSQL, the provider and the worker’s real activities (${f3(oursSystem - ceilingSystem)} s).`,
  ];
  const byClient = c.ours.postgresByClient;
  if (byClient) {
    const named = Object.entries(byClient).sort((a, b) => b[1] - a[1]);
    const rest = c.ours.postgres - named.reduce((s, [, cpu]) => s + cpu, 0);
    lines.push(
      `- Our PostgreSQL at C=${busiest.concurrency}, per order, by the connection its backend serves: ${named.map(([client, cpu]) => `${client} ${f3(cpu)} s`).join(', ')}; the shared writers and closed connections ${f3(rest)} s.`,
    );
  }
  const floor = c.apiFloor;
  if (floor) {
    lines.push(
      `- The API against its floor at C=${busiest.concurrency}, per order: the API ${f3(c.ours.api)} s; an HTTP service with the API’s middleware and Temporal client placing and paying the no-op workflow (two requests, an update-with-start and a signal, no statement) ${f3(floor.api)} s.` +
        ` The transports any API on this stack pays are ${f0((100 * Math.min(floor.api, c.ours.api)) / c.ours.api)} % of the API’s CPU; its statements and logic ${f3(Math.max(0, c.ours.api - floor.api))} s.`,
    );
  }
  // The engine's part of an order is what the no-op workflow of the same shape costs the whole machine; ours is the rest.
  for (const r of rows) {
    const total = r.cpuPerOrder.ours.machine;
    const engine = Math.min(total, r.cpuPerOrder.ceiling.machine);
    lines.push(
      `- C=${r.concurrency}: of each order’s ${f3(total)} CPU-s (whole machine), the engine’s (the no-op ceiling’s) is ${f3(engine)} s (${f0((100 * engine) / total)} %) and ours ${f3(total - engine)} s (${f0((100 * (total - engine)) / total)} %).`,
    );
  }
  // The ceiling with the saga's round trips (each a SELECT 1): what waiting on I/O costs before any work is done.
  for (const r of rows) {
    const waits = r.ceilingWaits;
    const cpu = r.cpuPerOrder.ceilingWaits;
    if (!waits || !cpu) continue;
    const rate = mean(waits.sagasPerSecond);
    lines.push(
      `- C=${r.concurrency}, the ceiling with the saga’s waits (its activities make the saga’s round trips, each a \`SELECT 1\`): ${f1(rate)} sagas/s against the plain ceiling’s ${f1(mean(r.ceilingSagasPerSecond))} (×${f2(rate / mean(r.ceilingSagasPerSecond))}); ours ÷ it ${f2(mean(r.oursSagasPerSecond) / rate)}.` +
        ` Its update-with-start p50 ${f1(waits.placement.p50)} ms against ${f1(r.ceilingUpdateWithStart.p50)} (×${f2(waits.placement.p50 / r.ceilingUpdateWithStart.p50)}); POST /orders ÷ it ×${f2(r.oursPost.p50 / waits.placement.p50)}.` +
        ` Machine CPU per order ${f3(cpu.machine)} s against the plain ceiling’s ${f3(r.cpuPerOrder.ceiling.machine)} and ours ${f3(r.cpuPerOrder.ours.machine)}.`,
    );
  }
  const single = rows.find((r) => r.concurrency === 1);
  if (single) {
    lines.push(
      `- Latency at C=1: POST /orders p50 ${f1(single.oursPost.p50)} ms against ${f1(single.ceilingUpdateWithStart.p50)} ms for the bare update-with-start (×${f2(single.p50Ratio)}); the difference is the reservation and payment-request activities doing real I/O, the status writes and the API’s own work.` +
        ` Above C=1, with the CPU saturated, latency is mostly queueing: p50 grows roughly with C.` +
        (single.apiFloor
          ? ` Through the API’s floor (an HTTP service with the API’s middleware and Temporal client, nothing else) the same update-with-start takes ${f1(single.apiFloor.placement.p50)} ms (×${f2(single.apiFloor.placement.p50 / single.ceilingUpdateWithStart.p50)}): that much of the ratio is the HTTP hop itself.`
          : ''),
    );
  }
  if (results.reserve) {
    const r = results.reserve.rows.map((x) => x.ratio);
    lines.push(`- Reservation alone: ours runs at ${f2(Math.min(...r))}–${f2(Math.max(...r))} of pgbench executing the same SQL, i.e. Node + pg + MikroORM add little; a hot row serves hundreds of reservations per second, far above the saga’s rate, so row locks are not what limits sagas here.`);
  }
  return lines;
}

const CPU_NOTE =
  'PostgreSQL: the backends and autovacuum of the benchmark database plus the server’s shared WAL writer, checkpointer and background writer. Temporal’s PostgreSQL: the backends of Temporal’s own databases (postgres persistence). driver: the benchmark process itself. machine total: all busy CPU on the box (/proc/stat) during the run (anything else running shows up as the gap).';

const RUNTIME_NAMES: Record<Runtime, string> = {
  compiled: 'compiled JavaScript (tsc with tsconfig.build.json’s settings, as the production image runs it) under plain node',
  tsx: 'TypeScript through the tsx loader (as `npm start` runs it, not as production does)',
};

/** Which code the figures come from: the runtime, NODE_ENV and the command lines. */
export function runtimeLine(runtime: BenchResults['runtime']): string {
  const commands = Object.entries(runtime.commands).map(([name, command]) => `${name} \`${command}\``);
  return `- Services: ${RUNTIME_NAMES[runtime.services]}, NODE_ENV=${runtime.nodeEnv}${commands.length ? `: ${commands.join(', ')}` : ''}.`;
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const settings = Object.entries(results.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const w = results.worker;
  return [
    '# `npm run bench`: the order saga against the engine’s ceiling',
    '',
    `Run ${results.at}, ${f1(results.durationSeconds / 60)} min in all.`,
    '',
    `- Machine: nproc ${m.nproc}, ${m.cpuModel}, memory ${m.memory}; ${m.kernel}; Node ${m.node}; PostgreSQL ${results.postgres}.`,
    `- Temporal (${results.temporal.cli}):`,
    ...results.temporalServers.map((t) => `  - ${describeConfiguration(t)}: ${t.mode}: \`${t.args.join(' ')}\``),
    runtimeLine(results.runtime),
    `- Options: \`${JSON.stringify(results.options)}\``,
    `- Settings: ${settings}`,
    '',
    '## What the figures say',
    '',
    ...interpretation(results),
    '',
    '## Sagas end to end (tok_visa, followed to PAID + confirmation) vs the no-op workflow of the same shape',
    '',
    'Runs interleaved ours, ceiling, then ceiling, ours (and so on) at each C after a warm-up, each for a fixed time (closed loop, a new customer per order); sagas/s is the mean of the runs (each run in brackets); latency figures are means of the per-run percentiles.' +
      ' An order is followed to PAID with its order_confirmed notification sent (one batched SQL poll every 10 ms, not through the API); the ceiling workflow (a paid saga’s history shape, every activity a no-op) is followed to that same step by long-polling its history.' +
      ' After every run the CPU meter runs on for CANCEL_WINDOW + 1 s, so each saga’s COMPLETED step (the ceiling’s too) counts in its own run.',
    '',
    sagaTable(results.saga),
    '',
    ...(results.webhookCost?.length
      ? ['## The saga with one subscribed webhook endpoint vs none', '', WEBHOOK_COST_NOTE, '', webhookCostTable(results.webhookCost), '']
      : []),
    '## CPU-seconds per order, by process (mean of the runs)',
    '',
    CPU_NOTE,
    '',
    cpuTable(results.saga),
    '',
    ...(results.shape.length
      ? [
          '## Saga shape per kind',
          '',
          'Each kind placed through POST /orders (a new customer each, 8 at a time) and followed until its workflow closed: paid (tok_visa; COMPLETED once the cancellation window ran out), declined (tok_declined), timeout (tok_no_webhook; PAYMENT_TIMEOUT ran out), cancelled (tok_no_webhook, cancelled right after placement), refunded (tok_visa, cancelled once PAID). Figures are means over the histories (`fetchHistory`): workflow tasks = WorkflowTaskCompleted, activity tasks = ActivityTaskScheduled, local activities = MarkerRecorded `core_local_activity`.',
          '',
          shapeTable(results.shape),
          '',
          '### CPU-seconds per saga of each kind, by process',
          '',
          'From the first placement until the last workflow of the kind closed (the waits for PAYMENT_TIMEOUT and CANCEL_WINDOW included, so idle background work counts too).',
          '',
          shapeCpuTable(results.shape),
          '',
        ]
      : []),
    ...(results.soak?.length
      ? [
          '## Soak: a steady rate below capacity on an API with the production admission settings',
          '',
          'One tok_visa placement by a new customer every 1/rate s (open loop: slow answers do not lower the rate), then every accepted order is followed to PAID + confirmation and the invariant check runs. Nothing should be shed, and the worker’s memory should end where it started.',
          '',
          soakTable(results.soak),
          '',
        ]
      : []),
    ...(results.overload.length
      ? [
          '## Overload: concurrent new customers on an API with the production admission settings',
          '',
          'Each customer slot places tok_visa orders one after another, a new customer each time; a 503/429 makes the slot wait its Retry-After (× 0.5–1.5). Afterwards every accepted order is followed until it settles, then the invariant check runs over the whole bench database.',
          '',
          overloadTable(results.overload),
          '',
        ]
      : []),
    ...(results.cost
      ? [
          `## What ${results.cost.factors.join(' and ')} cost`,
          '',
          'One stack per setting, the same legs on each, all with NODE_ENV=development (production refuses clear-text payloads); each factor is compared off (the baseline) and on with everything else at its default (payloads encrypted, no tracing). Tracing on exports every span over OTLP/HTTP to a sink inside the bench process, which answers at once (its CPU counts as the driver’s). On the dev server the stacks of one comparison are up together, each on a database of its own, and their measured runs alternate (A, B, then B, A): a drift in the machine’s speed falls on every setting alike, and a stack’s machine total also holds the other stacks’ idle CPU. On the PostgreSQL-backed server they run one after another (two clusters at once would exhaust PostgreSQL’s connections), so those ratios also carry whatever else the machine did meanwhile.',
          '',
          costTable(results.cost.rows),
          '',
          ...(results.cost.otlp.length ? ['Spans the OTLP sink received (warm-up and every run):', '', ...otlpLines(results.cost.otlp), ''] : []),
        ]
      : []),
    ...(results.reserve
      ? ['## Reservation (reserve + release of one unit) vs pgbench running the same SQL', '', '```', formatReserveTable(results.reserve.rows), '```', '']
      : []),
    '## Worker',
    '',
    `- Peak RSS during the saga runs (sampled every 200 ms): ${f0(w.rssPeakMiB)} MiB${w.vmHwmMiB ? `; VmHWM since the process started: ${f0(w.vmHwmMiB)} MiB` : ''}.`,
    `- Process start → \`worker polling\` with the prebuilt bundle (WORKFLOW_BUNDLE_PATH): ${w.startToPollingMs.map((ms) => `${f0(ms)} ms`).join(', ')} (first start, then a restart).`,
    '',
  ].join('\n');
}
