import { runChaos } from '../../chaos/lib/chaos-run';
import { formatChaosSummary } from '../../chaos/lib/summary';

/**
 * The short chaos run of `npm run chaos` (chaos/lib/chaos-run.ts), as a test, on a small cluster (2 workers, 2 API
 * instances): ~60 orders of every kind spread over both APIs while a worker picked at random is SIGKILLed 3 times,
 * one API instance is restarted while the other serves, and the Temporal dev server is restarted — on a stack of
 * separate processes with its own dev server, ports and database. Never PostgreSQL: other test runs share it. A
 * subscriber of every outbound webhook event must have received every committed status change, in order.
 */
describe('chaos, short version', () => {
  it('keeps every invariant on 2 workers and 2 APIs through worker SIGKILLs and API and Temporal restarts', async () => {
    const databaseUrl = new URL(process.env.DATABASE_URL!);
    databaseUrl.pathname = `${databaseUrl.pathname}_chaos`;
    const log: string[] = [];
    const summary = await runChaos({
      databaseUrl: databaseUrl.toString(),
      orders: 60,
      workers: 2,
      apiInstances: 2,
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
    // A subscriber of every event received every committed status change, refund, shipment and received return
    // (checked among the invariants above), each event once or more.
    const webhooks = summary.report.webhooks!;
    expect(webhooks.distinct).toBe(webhooks.changes + webhooks.refunds + webhooks.shipments + webhooks.receivedReturns);
    expect(webhooks.shipments).toBeGreaterThan(0);
    expect(webhooks.changes).toBeGreaterThan(60);
    // Operators' partial refunds were in the mix, each sent twice with its key, and the money invariant held.
    expect(summary.driver.refunds['201 succeeded'] ?? 0).toBeGreaterThan(0);
    // Both instances served (the round robin), and the restart took down one of them, not the service.
    expect(Object.keys(summary.driver.answeredBy).sort()).toEqual(['API 1', 'API 2']);
    expect(summary.timeline.filter((line) => /SIGKILL api-\d; api-\d keeps serving/.test(line))).toHaveLength(1);
  }, 420_000);
});
