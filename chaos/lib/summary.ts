import type { ChaosSummary } from './chaos-run';
import { formatReport } from './invariants';
import { formatTemporalRows } from './temporal-rows';

const list = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ') || 'none';

/** The chaos run in plain text (printed, and the body of chaos/results/latest.md). */
export function formatChaosSummary(s: ChaosSummary): string {
  const f = s.faults;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return [
    // temporalMode: `dev`, or `postgres (4 history shards, database …)`.
    `Temporal persistence: ${s.temporalMode === 'dev' ? 'dev (the Temporal dev server, SQLite)' : s.temporalMode}; ${plural(s.workers, 'worker')}, ${plural(s.apiInstances, 'API instance')}`,
    `seed ${s.seed}; ${s.durationSeconds.toFixed(0)} s in all (placement ${s.placementSeconds.toFixed(0)} s, settling ${s.settleSeconds.toFixed(0)} s)`,
    '',
    `faults survived: ${f.workerKills} worker SIGKILLs, ${f.apiRestarts} API restart(s), ${f.temporalRestarts} Temporal restart(s), ${f.postgresRestarts} PostgreSQL restart(s)` +
      ` (workers that died on their own: ${f.workerDeaths}; worker starts that had to be retried: ${f.workerStartFailures}; APIs that died on their own: ${f.apiDeaths})`,
    `planned: ${s.planned.orders} orders (${list(s.planned.byToken)}); ${s.planned.keyed} with an Idempotency-Key, ${s.driver.concurrentCopies} concurrent copies, ${s.planned.replays} replays, ${s.planned.cancels} cancels`,
    `POST /orders answers: ${list(s.driver.answers)}; retried after no answer: ${s.driver.retried}; unknown outcome (no key): ${s.driver.unknownOutcome}`,
    `answers by API instance: ${list(s.driver.answeredBy)}; retries sent to another instance: ${s.driver.failovers}`,
    `cancel answers: ${list(s.driver.cancels)}; partial refund answers: ${list(s.driver.refunds ?? {})}; stock adjustments: ${s.driver.stockAdjustments}`,
    `goods that ship (answers): ${list(s.driver.shipping ?? {})}; orders no answer named, found and shipped by the warehouse: ${s.driver.foundByWarehouse ?? 0}`,
    ...(s.temporalRows ? [formatTemporalRows(s.temporalRows)] : []),
    '',
    formatReport(s.report),
  ].join('\n');
}

export function chaosMarkdown(s: ChaosSummary, header: string[]): string {
  return [
    '# `npm run chaos`: the latest full run',
    '',
    ...header,
    '',
    '```',
    formatChaosSummary(s),
    '```',
    '',
    '## Fault timeline',
    '',
    '```',
    ...s.timeline,
    '```',
    '',
    s.temporalMode === 'dev' ? `Temporal dev server: \`temporal ${s.temporalArgs.join(' ')}\`` : `Temporal server, ${s.temporalMode}: \`${s.temporalArgs.join(' ')}\``,
    '',
  ].join('\n');
}
