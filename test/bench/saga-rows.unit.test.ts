import type { LegResult } from '../../bench/lib/legs';
import type { CpuBreakdown } from '../../bench/lib/meter';
import { summarizeSaga } from '../../bench/lib/saga-rows';

const latency = { count: 1, mean: 55, p50: 50, p95: 60, p99: 70, max: 80 };
const leg = (kind: LegResult['kind'], orders: number, cpu: Partial<CpuBreakdown>): LegResult => ({
  persistence: 'dev',
  workers: 1,
  kind,
  concurrency: 16,
  orders,
  failed: 0,
  seconds: 20,
  sagasPerSecond: orders / 20,
  placement: latency,
  endToEnd: latency,
  cpu: { api: 0, worker: 0, temporal: 0, postgres: 0, temporalPostgres: 0, simulator: 0, driver: 0, machine: 0, ...cpu },
  workerRssPeakMiB: 250,
});

// The saga table's rows average each run's CPU per order; the database's split by client is averaged the same way.
describe('bench saga rows: our PostgreSQL by client', () => {
  it('averages each client’s CPU per order over the runs, a client missing from a run counting nothing there', () => {
    const [row] = summarizeSaga([
      leg('ours', 100, { postgres: 2, postgresByClient: { 'order-saga-api': 0.8, 'order-saga-worker': 1 } }),
      leg('ours', 200, { postgres: 3, postgresByClient: { 'order-saga-worker': 2 } }),
      leg('ceiling', 300, { postgres: 0.1 }),
    ]);
    expect(row.cpuPerOrder.ours.postgres).toBeCloseTo((0.02 + 0.015) / 2);
    expect(row.cpuPerOrder.ours.postgresByClient).toEqual({
      'order-saga-api': expect.closeTo((0.008 + 0) / 2),
      'order-saga-worker': expect.closeTo((0.01 + 0.01) / 2),
    });
    expect(row.cpuPerOrder.ceiling.postgresByClient).toBeUndefined();
  });
});

// The api-floor leg (the ceiling through an HTTP service with nothing of ours) sits beside ours and the ceiling.
describe('bench saga rows: the API floor', () => {
  it('pools the api-floor runs into their own CPU per order and rate, apart from ours and the ceiling', () => {
    const [row] = summarizeSaga([leg('ours', 100, { api: 1.2 }), leg('ceiling', 300, { api: 0.3 }), leg('api-floor', 200, { api: 1.6 }), leg('api-floor', 100, { api: 1 })]);
    expect(row.cpuPerOrder.ours.api).toBeCloseTo(0.012);
    expect(row.cpuPerOrder.ceiling.api).toBeCloseTo(0.001);
    expect(row.cpuPerOrder.apiFloor?.api).toBeCloseTo((0.008 + 0.01) / 2);
    expect(row.apiFloor).toEqual({ sagasPerSecond: [10, 5], placement: { p50: 50 } });
  });

  it('has no floor when the leg did not run', () => {
    const [row] = summarizeSaga([leg('ours', 100, {}), leg('ceiling', 300, {})]);
    expect(row.apiFloor).toBeUndefined();
    expect(row.cpuPerOrder.apiFloor).toBeUndefined();
  });
});

// The ceiling-waits leg (the ceiling with the saga's round trips, each a SELECT 1) sits beside them the same way.
describe('bench saga rows: the ceiling with waits', () => {
  it('pools its runs into their own CPU per order and rate, apart from the plain ceiling', () => {
    const [row] = summarizeSaga([leg('ceiling', 300, { machine: 30 }), leg('ceiling-waits', 200, { machine: 28 }), leg('ceiling-waits', 100, { machine: 15 })]);
    expect(row.cpuPerOrder.ceiling.machine).toBeCloseTo(0.1);
    expect(row.cpuPerOrder.ceilingWaits?.machine).toBeCloseTo((0.14 + 0.15) / 2);
    expect(row.ceilingWaits).toEqual({ sagasPerSecond: [10, 5], placement: { p50: 50 } });
    expect(row.ceilingSagasPerSecond).toEqual([15]);
  });

  it('has none when the leg did not run', () => {
    const [row] = summarizeSaga([leg('ours', 100, {}), leg('ceiling', 300, {})]);
    expect(row.ceilingWaits).toBeUndefined();
    expect(row.cpuPerOrder.ceilingWaits).toBeUndefined();
  });
});
