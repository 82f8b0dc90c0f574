import type { LegResult } from './legs';
import type { CpuBreakdown } from './meter';
import { CPU_KEYS } from './meter';
import type { StackConfiguration } from './options';
import { sameStack } from './options';
import { mean } from './stats';

/** The saga leg's rows: one per configuration × concurrency, read by the report and the --compare table. */
export interface SagaRow extends StackConfiguration {
  concurrency: number;
  orders: number;
  oursSagasPerSecond: number[];
  ceilingSagasPerSecond: number[];
  throughputRatio: number;
  /** Means over the runs of each run's percentile. */
  oursPost: { p50: number; p95: number; p99: number };
  ceilingUpdateWithStart: { p50: number; p95: number; p99: number };
  p50Ratio: number;
  oursEndToEndP50: number;
  ceilingEndToEndP50: number;
  cpuPerOrder: { ours: CpuBreakdown; ceiling: CpuBreakdown; apiFloor?: CpuBreakdown; ceilingWaits?: CpuBreakdown };
  /** The api-floor leg when it ran: the ceiling placed and paid through an HTTP service with nothing of ours in it. */
  apiFloor?: BesideLeg;
  /** The ceiling-waits leg when it ran: the ceiling with the saga's round trips, each a `SELECT 1`. */
  ceilingWaits?: BesideLeg;
  failed: number;
}

/** A leg run beside ours and the ceiling to explain them (api-floor, ceiling-waits): its rate and placement p50. */
export interface BesideLeg {
  sagasPerSecond: number[];
  placement: { p50: number };
}

function meanCpuPerOrder(legs: LegResult[]): CpuBreakdown {
  /** The mean over the runs of one figure per completed order. */
  const perOrder = (figure: (cpu: CpuBreakdown) => number | undefined) => mean(legs.map((l) => (figure(l.cpu) ?? 0) / (l.orders - l.failed)));
  const out = {} as CpuBreakdown;
  for (const key of CPU_KEYS) out[key] = perOrder((cpu) => cpu[key]);
  // A client absent from a run (results written before the split) counts as nothing there.
  const clients = [...new Set(legs.flatMap((l) => Object.keys(l.cpu.postgresByClient ?? {})))];
  if (clients.length) out.postgresByClient = Object.fromEntries(clients.map((client) => [client, perOrder((cpu) => cpu.postgresByClient?.[client])]));
  return out;
}

const stackOf = (l: LegResult): StackConfiguration => ({ persistence: l.persistence, workers: l.workers, shards: l.shards, setting: l.setting });

/** One row per configuration × concurrency: the runs of each side pooled (means of the per-run figures). */
export function summarizeSaga(legs: LegResult[]): SagaRow[] {
  // Ceiling legs without an ours leg beside them get a row too.
  const keys = new Map<string, { config: StackConfiguration; concurrency: number }>();
  for (const l of legs) {
    const config = stackOf(l);
    keys.set(JSON.stringify([config, l.concurrency]), { config, concurrency: l.concurrency });
  }
  return [...keys.values()].map(({ config, concurrency }) => {
    const ofKind = (kind: LegResult['kind']) => legs.filter((l) => l.kind === kind && l.concurrency === concurrency && sameStack(l, config));
    const ours = ofKind('ours');
    const ceiling = ofKind('ceiling');
    const floor = ofKind('api-floor');
    const waits = ofKind('ceiling-waits');
    const pct = (ls: LegResult[], key: 'p50' | 'p95' | 'p99') => mean(ls.map((l) => l.placement[key]));
    const beside = (ls: LegResult[]): BesideLeg => ({ sagasPerSecond: ls.map((l) => l.sagasPerSecond), placement: { p50: pct(ls, 'p50') } });
    const oursPost = { p50: pct(ours, 'p50'), p95: pct(ours, 'p95'), p99: pct(ours, 'p99') };
    const ceilingUpdateWithStart = { p50: pct(ceiling, 'p50'), p95: pct(ceiling, 'p95'), p99: pct(ceiling, 'p99') };
    const oursRate = ours.map((l) => l.sagasPerSecond);
    const ceilingRate = ceiling.map((l) => l.sagasPerSecond);
    return {
      ...config,
      concurrency,
      orders: mean(ours.map((l) => l.orders)),
      oursSagasPerSecond: oursRate,
      ceilingSagasPerSecond: ceilingRate,
      throughputRatio: mean(oursRate) / mean(ceilingRate),
      oursPost,
      ceilingUpdateWithStart,
      p50Ratio: oursPost.p50 / ceilingUpdateWithStart.p50,
      oursEndToEndP50: mean(ours.map((l) => l.endToEnd.p50)),
      ceilingEndToEndP50: mean(ceiling.map((l) => l.endToEnd.p50)),
      cpuPerOrder: {
        ours: meanCpuPerOrder(ours),
        ceiling: meanCpuPerOrder(ceiling),
        ...(floor.length ? { apiFloor: meanCpuPerOrder(floor) } : {}),
        ...(waits.length ? { ceilingWaits: meanCpuPerOrder(waits) } : {}),
      },
      ...(floor.length ? { apiFloor: beside(floor) } : {}),
      ...(waits.length ? { ceilingWaits: beside(waits) } : {}),
      failed: [...ours, ...ceiling, ...floor, ...waits].reduce((n, l) => n + l.failed, 0),
    };
  });
}
