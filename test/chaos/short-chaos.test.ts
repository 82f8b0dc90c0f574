import { runChaos } from '../../chaos/lib/chaos-run';
import { formatChaosSummary } from '../../chaos/lib/summary';

/**
 * The short chaos run of `npm run chaos` (chaos/lib/chaos-run.ts), as a test: ~60 orders of every kind while the
 * worker is SIGKILLed 3 times and the API and the Temporal dev server are restarted — on a stack of separate
 * processes with its own dev server, ports and database. Never PostgreSQL: other test runs share it.
 */
describe('chaos, short version', () => {
  it('keeps every invariant through worker SIGKILLs and API and Temporal restarts', async () => {
    const databaseUrl = new URL(process.env.DATABASE_URL!);
    databaseUrl.pathname = `${databaseUrl.pathname}_chaos`;
    const log: string[] = [];
    const summary = await runChaos({
      databaseUrl: databaseUrl.toString(),
      orders: 60,
      concurrency: 8,
      placementMs: 20_000,
      workerKillEveryMs: [4000, 6000],
      maxWorkerKills: 3,
      restartApi: true,
      restartTemporal: true,
      restartPostgres: false,
      paymentTimeout: '6s',
      cancelWindow: '3s',
      settleTimeoutMs: 90_000,
      seed: Number(process.env.CHAOS_SEED ?? 20261123),
      workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
      log: (m) => log.push(m),
    });
    const report = `${formatChaosSummary(summary)}\n\n${log.join('\n')}`;
    // On failure the whole summary and timeline are what jest shows: they say what broke and when.
    expect(summary.report.violations.length === 0 ? 'no violations' : report).toBe('no violations');
    expect(summary.faults).toMatchObject({ workerKills: 3, apiRestarts: 1, temporalRestarts: 1, postgresRestarts: 0 });
    expect(summary.report.orders).toBeGreaterThanOrEqual(60 - summary.driver.unknownOutcome);
  }, 300_000);
});
