import type { BenchResults } from '../../bench/lib/report';
import { interpretation } from '../../bench/lib/report';
import type { SagaRow } from '../../bench/lib/saga-rows';
import type { CpuBreakdown } from '../../bench/lib/meter';

const cpu = (machine: number, worker: number): CpuBreakdown => ({ api: 0.004, worker, temporal: 0.03, postgres: 0.01, temporalPostgres: 0, simulator: 0.002, driver: 0.002, machine });
const row = (concurrency: number, ours: number, ceiling: number): SagaRow => ({
  persistence: 'dev',
  workers: 1,
  concurrency,
  orders: 100,
  oursSagasPerSecond: [10],
  ceilingSagasPerSecond: [14],
  throughputRatio: 10 / 14,
  oursPost: { p50: 80, p95: 120, p99: 150 },
  ceilingUpdateWithStart: { p50: 40, p95: 60, p99: 80 },
  p50Ratio: 2,
  oursEndToEndP50: 100,
  ceilingEndToEndP50: 60,
  cpuPerOrder: { ours: cpu(ours, 0.05), ceiling: cpu(ceiling, 0.04) },
  failed: 0,
});

// The report says, per concurrency, how much of an order's CPU is the engine's (what the no-op ceiling of the same
// shape costs) and how much is ours.
describe('bench report: the engine’s share and ours', () => {
  it('splits each order’s machine CPU into the ceiling’s and the rest', () => {
    const results = { saga: [row(1, 0.1, 0.06), row(16, 0.08, 0.06)], machine: { nproc: 2 } } as unknown as BenchResults;
    const lines = interpretation(results);
    expect(lines).toContain('- C=1: of each order’s 0.100 CPU-s (whole machine), the engine’s (the no-op ceiling’s) is 0.060 s (60 %) and ours 0.040 s (40 %).');
    expect(lines).toContain('- C=16: of each order’s 0.080 CPU-s (whole machine), the engine’s (the no-op ceiling’s) is 0.060 s (75 %) and ours 0.020 s (25 %).');
  });

  it('splits our PostgreSQL by the connections its backends serve, at the busiest C', () => {
    const busy = row(16, 0.08, 0.06);
    busy.oursSagasPerSecond = [12];
    busy.cpuPerOrder.ours.postgresByClient = { 'order-saga-worker': 0.004, 'order-saga-api': 0.005 };
    const results = { saga: [row(1, 0.1, 0.06), busy], machine: { nproc: 2 } } as unknown as BenchResults;
    expect(interpretation(results)).toContain(
      '- Our PostgreSQL at C=16, per order, by the connection its backend serves: order-saga-api 0.005 s, order-saga-worker 0.004 s; the shared writers and closed connections 0.001 s.',
    );
  });

  it('sets the API’s CPU against its floor’s, at the busiest C, when the api-floor leg ran', () => {
    const busy = row(16, 0.08, 0.06);
    busy.oursSagasPerSecond = [12];
    busy.cpuPerOrder.ours.api = 0.012;
    busy.cpuPerOrder.apiFloor = { ...cpu(0.07, 0.04), api: 0.009 };
    const results = { saga: [row(1, 0.1, 0.06), busy], machine: { nproc: 2 } } as unknown as BenchResults;
    const line = interpretation(results).find((l) => l.startsWith('- The API against its floor'));
    expect(line).toContain('at C=16, per order: the API 0.012 s;');
    expect(line).toContain('(two requests, an update-with-start and a signal, no statement) 0.009 s.');
    expect(line).toContain('are 75 % of the API’s CPU; its statements and logic 0.003 s.');
  });

  it('gives the floor’s placement latency against the bare update-with-start at C=1, when the api-floor leg ran', () => {
    const single = row(1, 0.1, 0.06);
    single.apiFloor = { sagasPerSecond: [13], placement: { p50: 44 } };
    const results = { saga: [single, row(16, 0.08, 0.06)], machine: { nproc: 2 } } as unknown as BenchResults;
    const latency = interpretation(results).find((l) => l.startsWith('- Latency at C=1'));
    expect(latency).toContain('the same update-with-start takes 44.0 ms (×1.10): that much of the ratio is the HTTP hop itself.');
  });

  it('sets the ceiling with the saga’s waits against the plain ceiling and ours, at each C it ran', () => {
    const single = row(1, 0.1, 0.06);
    single.ceilingWaits = { sagasPerSecond: [11], placement: { p50: 60 } };
    single.cpuPerOrder.ceilingWaits = cpu(0.09, 0.05);
    const results = { saga: [single, row(16, 0.08, 0.06)], machine: { nproc: 2 } } as unknown as BenchResults;
    const lines = interpretation(results).filter((l) => l.includes('the ceiling with the saga’s waits'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('- C=1, the ceiling with the saga’s waits');
    expect(lines[0]).toContain('11.0 sagas/s against the plain ceiling’s 14.0 (×0.79); ours ÷ it 0.91.');
    expect(lines[0]).toContain('Its update-with-start p50 60.0 ms against 40.0 (×1.50); POST /orders ÷ it ×1.33.');
    expect(lines[0]).toContain('Machine CPU per order 0.090 s against the plain ceiling’s 0.060 and ours 0.100.');
  });

  it('says nothing of a floor, of waits or of clients when the runs did not record them', () => {
    const results = { saga: [row(1, 0.1, 0.06), row(16, 0.08, 0.06)], machine: { nproc: 2 } } as unknown as BenchResults;
    expect(interpretation(results).some((line) => line.includes('by the connection'))).toBe(false);
    expect(interpretation(results).some((line) => line.includes('floor'))).toBe(false);
    expect(interpretation(results).some((line) => line.includes('waits'))).toBe(false);
  });
});
