import type { System } from '../../devtools/launcher';
import { CpuSnapshot, machineBusySeconds, postgresPids, processMemoryMiB } from './proc';

export interface CpuBreakdown {
  api: number;
  worker: number;
  temporal: number;
  simulator: number;
  /** Backends and autovacuum of the benchmark's database, plus PostgreSQL's shared WAL writer/checkpointer. */
  postgres: number;
  /** This process: the load driver (HTTP client, Temporal client for the ceiling, the PAID follower). */
  driver: number;
  /** All busy CPU on the machine, whoever used it: the gap to the sum above is everything else running. */
  machine: number;
}

interface Snapshots {
  services: Record<'api' | 'worker' | 'temporal' | 'simulator', CpuSnapshot>;
  postgres: CpuSnapshot;
  driver: NodeJS.CpuUsage;
  machine: number;
}

/**
 * CPU-seconds per process over one benchmark leg, and the worker's resident memory sampled through it.
 * `excludePids`: PostgreSQL backends that are not the system's (the driver's own follower connection).
 */
export class LegMeter {
  private readonly start: Snapshots;
  private rssPeak = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    private readonly stack: System,
    private readonly excludePids: number[],
  ) {
    this.start = this.snapshot();
    this.sampler = setInterval(() => this.sampleRss(), 200);
    this.sampleRss();
  }

  private snapshot(): Snapshots {
    const pids = this.stack.pids();
    const pg = postgresPids(this.stack.databaseName, this.excludePids);
    const take = (name: string) => CpuSnapshot.take(pids[name] ?? []);
    return {
      services: { api: take('api'), worker: take('worker'), temporal: take('temporal'), simulator: take('simulator') },
      postgres: CpuSnapshot.take([...pg.backends, ...pg.background]),
      driver: process.cpuUsage(),
      machine: machineBusySeconds(),
    };
  }

  private sampleRss(): void {
    for (const pid of this.stack.pids().worker ?? []) {
      const memory = processMemoryMiB(pid);
      if (memory) this.rssPeak = Math.max(this.rssPeak, memory.rss);
    }
  }

  finish(): { cpu: CpuBreakdown; workerRssPeakMiB: number } {
    clearInterval(this.sampler);
    this.sampleRss();
    const end = this.snapshot();
    const driver = process.cpuUsage(this.start.driver);
    const s = this.start.services;
    return {
      cpu: {
        api: s.api.until(end.services.api),
        worker: s.worker.until(end.services.worker),
        temporal: s.temporal.until(end.services.temporal),
        simulator: s.simulator.until(end.services.simulator),
        postgres: this.start.postgres.until(end.postgres),
        driver: (driver.user + driver.system) / 1e6,
        machine: end.machine - this.start.machine,
      },
      workerRssPeakMiB: this.rssPeak,
    };
  }
}
