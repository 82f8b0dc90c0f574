/** The comparison table of `--compare` (its settings: cost-settings.ts), read off the saga leg's rows. */
import type { StackConfiguration } from './options';
import { describeConfiguration } from './options';
import type { OtlpSinkStats } from './otlp-sink';
import type { SagaRow } from './saga-rows';
import type { CostFactor } from './cost-settings';
import { COST_PAIRS } from './cost-settings';

export interface CostRow extends Omit<StackConfiguration, 'setting'> {
  factor: CostFactor;
  state: 'off' | 'on';
  setting: string;
  concurrency: number;
  sagasPerSecond: number;
  postP50: number;
  /** Over the factor-off (baseline) row of the same stack kind and C. */
  throughputRatio: number;
  p50Ratio: number;
  /**
   * Each run's sagas/s over the baseline's run of the same number (empty for the baseline). Side by side, runs of one
   * number ran minutes apart at most: their spread shows how far a single pair strays from the mean ratio.
   */
  runRatios: number[];
}

/** What the OTLP sink received while one traced stack ran (warm-up and every run). */
export type OtlpReceived = StackConfiguration & OtlpSinkStats;

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / (values.length || 1);

/** Run i over baseline run i, for the runs both have. */
const pairedRatios = (runs: readonly number[], baseline: readonly number[]) =>
  runs.slice(0, baseline.length).map((rate, i) => rate / baseline[i]);

/** Per factor, stack kind and C: the baseline row and the factor-on row, each with its ratio to the baseline. */
export function costRows(factors: readonly CostFactor[], saga: readonly SagaRow[]): CostRow[] {
  const rows: CostRow[] = [];
  for (const factor of factors) {
    const [off, on] = COST_PAIRS[factor];
    for (const base of saga.filter((r) => r.setting === off.name)) {
      const other = saga.find(
        (r) => r.setting === on.name && r.persistence === base.persistence && r.workers === base.workers && r.shards === base.shards && r.concurrency === base.concurrency,
      );
      if (!other) continue;
      const baseRate = mean(base.oursSagasPerSecond);
      for (const [state, r] of [['off', base], ['on', other]] as const) {
        const rate = mean(r.oursSagasPerSecond);
        rows.push({
          persistence: r.persistence,
          workers: r.workers,
          shards: r.shards,
          factor,
          state,
          setting: r.setting!,
          concurrency: r.concurrency,
          sagasPerSecond: rate,
          postP50: r.oursPost.p50,
          throughputRatio: rate / baseRate,
          p50Ratio: r.oursPost.p50 / base.oursPost.p50,
          runRatios: state === 'off' ? [] : pairedRatios(r.oursSagasPerSecond, base.oursSagasPerSecond),
        });
      }
    }
  }
  return rows;
}

const fixed = (digits: number) => (n: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const [f1, f2] = [fixed(1), fixed(2)];

export function costTable(rows: readonly CostRow[]): string {
  const header = ['stack', 'setting', 'C', 'sagas/s', 'POST /orders p50 ms', 'sagas/s ÷ baseline', 'run by run, lowest–highest', 'p50 ÷ baseline'];
  const range = (ratios: readonly number[]) => (ratios.length ? `${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}` : '–');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${describeConfiguration({ persistence: r.persistence, workers: r.workers, shards: r.shards })} | ${r.factor} ${r.state}${r.state === 'off' ? ' (baseline)' : ''} | ${r.concurrency} | ${f1(r.sagasPerSecond)} | ${f1(r.postP50)} | ${f2(r.throughputRatio)} | ${range(r.runRatios)} | ${f2(r.p50Ratio)} |`,
    ),
  ].join('\n');
}

/** One line per traced stack: proof that spans flowed, and from which services. */
export function otlpLines(received: readonly OtlpReceived[]): string[] {
  return received.map((r) => {
    const services = Object.entries(r.byService)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    return `- ${describeConfiguration(r)}: ${r.spans} spans in ${r.batches} batches (${f1(r.bytes / 1024 / 1024)} MiB of OTLP JSON)${services ? `: ${services}` : ''}${r.unreadable ? `; ${r.unreadable} bodies unreadable` : ''}.`;
  });
}
