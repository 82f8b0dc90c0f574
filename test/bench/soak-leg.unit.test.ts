import { parseBenchOptions, UsageError } from '../../bench/lib/options';
import { soakTable } from '../../bench/lib/report';
import type { SoakResult } from '../../bench/lib/soak';
import { perSaga } from '../../bench/lib/meter';

// The soak leg runs by default, at a rate derived from the saga leg unless one is given, and its report shows what
// was shed and how the worker's memory moved.
describe('bench soak leg', () => {
  it('is a default leg; --soak-rate and --soak-seconds set it, bad values are refused', () => {
    const defaults = parseBenchOptions([], {});
    expect(defaults.legs).toContain('soak');
    expect(defaults.soakSeconds).toBe(300);
    expect(defaults.soakRate).toBeUndefined();
    expect(parseBenchOptions(['--quick'], {}).soakSeconds).toBe(10);
    const given = parseBenchOptions(['--legs', 'soak', '--soak-rate', '4.5', '--soak-seconds=120'], {});
    expect(given).toMatchObject({ legs: ['soak'], soakRate: 4.5, soakSeconds: 120 });
    expect(() => parseBenchOptions(['--soak-rate', '0'], {})).toThrow(UsageError);
    expect(() => parseBenchOptions(['--soak-seconds', 'x'], {})).toThrow(UsageError);
  });

  it('reports the answers by status, what was shed and the worker RSS over time', () => {
    const row: SoakResult = {
      persistence: 'dev',
      workers: 1,
      rate: 6,
      rateSource: '--soak-rate',
      seconds: 300.4,
      placements: 1800,
      byStatus: { '201': 1795, '503': 5 },
      shed: 5,
      latency: { count: 1800, mean: 90, p50: 80, p95: 150, p99: 210, max: 400 },
      accepted: 1795,
      served: 1795,
      invariantViolations: 0,
      firstViolations: [],
      cpuPerOrder: perSaga({ api: 6, worker: 60, temporal: 50, postgres: 20, temporalPostgres: 0, simulator: 5, driver: 3, machine: 150 }, 1000),
      rss: [
        { atSeconds: 0, rssMiB: 250 },
        { atSeconds: 5, rssMiB: 280.4 },
      ],
      rssPeakMiB: 280.4,
      rssFirstFifthMiB: 250,
      rssLastFifthMiB: 280.4,
    };
    const text = soakTable([row]);
    expect(text).toContain('| dev, 1 worker | 6.0/s (--soak-rate) | 1800 × 300 | 201: 1795, 503: 5 | 5 | 80 / 210 | 1795 → 1795 | 250 → 280 (280) | 0.006 / 0.060 / 0.020 / 0.150 | 0 |');
    expect(text).toContain('- dev, 1 worker: worker RSS (MiB) every 5 s: 250, 280');
  });
});
