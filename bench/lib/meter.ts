import type { Client as PgClient } from 'pg';
import type { System } from '../../devtools/launcher';
import { CpuSnapshot, machineBusySeconds, postgresPids, processMemoryMiB } from './proc';

export interface CpuBreakdown {
  /** The API process(es) the leg sent its requests to. */
  api: number;
  worker: number;
  /** The Temporal server's own processes (dev server; or server + Web UI in postgres mode). */
  temporal: number;
  simulator: number;
  /** Backends and autovacuum of the application database, plus PostgreSQL's shared WAL writer/checkpointer. */
  postgres: number;
  /**
   * Part of `postgres`: its backends by the application_name of their connection (`order-saga-api`,
   * `order-saga-worker`…), so our database's CPU reads as the API's statements against the worker's. The rest of
   * `postgres` is the shared writers, autovacuum and connections closed before the leg ended. Not a column.
   */
  postgresByClient?: Record<string, number>;
  /** PostgreSQL backends of Temporal's own databases (postgres persistence mode; 0 on the dev server). */
  temporalPostgres: number;
  /** This process: the load driver (HTTP client, Temporal client for the ceiling, the follower). */
  driver: number;
  /** All busy CPU on the machine (/proc/stat), whoever used it: the gap to the sum above is everything else running. */
  machine: number;
}

/** The per-process figures, one column each. */
export type CpuKey = Exclude<keyof CpuBreakdown, 'postgresByClient'>;

export const CPU_KEYS: CpuKey[] = ['api', 'worker', 'temporal', 'postgres', 'temporalPostgres', 'simulator', 'driver', 'machine'];

interface Snapshots {
  services: Record<'api' | 'worker' | 'temporal' | 'simulator', CpuSnapshot>;
  postgres: CpuSnapshot;
  temporalPostgres: CpuSnapshot;
  driver: NodeJS.CpuUsage;
  machine: number;
}

/** The databases the postgres persistence mode gives a run on a fresh application database (see temporal-postgres). */
export function temporalDatabases(appDatabase: string): string[] {
  const history = `${appDatabase.replace(/[^a-z0-9_]/g, '_')}_temporal`;
  return [history, `${history}_visibility`];
}

/**
 * CPU-seconds per process over one benchmark leg, and the worker's resident memory sampled through it.
 * `excludePids`: PostgreSQL backends that are not the system's (the driver's own follower connection).
 * `apiService`: the API service the leg talks to (other API processes count only in the machine figure).
 */
export class LegMeter {
  private readonly start: Snapshots;
  private rssPeak = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    private readonly stack: System,
    private readonly excludePids: number[],
    private readonly apiService = 'api',
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
      services: { api: take(this.apiService), worker: take('worker'), temporal: take('temporal'), simulator: take('simulator') },
      postgres: CpuSnapshot.take([...pg.backends, ...pg.background]),
      temporalPostgres: CpuSnapshot.take(postgresPids(temporalDatabases(this.stack.databaseName)).backends),
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

  /**
   * The leg's figures. `backendClients`: each database backend's application_name, read when the leg ended
   * (pg_stat_activity), for `postgresByClient`.
   */
  finish(backendClients?: ReadonlyMap<number, string>): { cpu: CpuBreakdown; workerRssPeakMiB: number } {
    clearInterval(this.sampler);
    this.sampleRss();
    const end = this.snapshot();
    const driver = process.cpuUsage(this.start.driver);
    const s = this.start.services;
    return {
      cpu: {
        ...(backendClients ? { postgresByClient: this.byClient(end.postgres, backendClients) } : {}),
        api: s.api.until(end.services.api),
        worker: s.worker.until(end.services.worker),
        temporal: s.temporal.until(end.services.temporal),
        simulator: s.simulator.until(end.services.simulator),
        postgres: this.start.postgres.until(end.postgres),
        temporalPostgres: this.start.temporalPostgres.until(end.temporalPostgres),
        driver: (driver.user + driver.system) / 1e6,
        machine: end.machine - this.start.machine,
      },
      workerRssPeakMiB: this.rssPeak,
    };
  }

  private byClient(end: CpuSnapshot, clients: ReadonlyMap<number, string>): Record<string, number> {
    const pids = new Map<string, Set<number>>();
    for (const [pid, client] of clients) {
      if (this.excludePids.includes(pid)) continue;
      const name = client || '(unnamed)';
      if (!pids.has(name)) pids.set(name, new Set());
      pids.get(name)!.add(pid);
    }
    return Object.fromEntries([...pids].map(([client, only]) => [client, this.start.postgres.until(end, only)]));
  }
}

/** Each backend of `databaseName` and the application_name its connection gave, as the leg ends. */
export async function readBackendClients(db: PgClient, databaseName: string): Promise<Map<number, string>> {
  const { rows } = await db.query<{ pid: number; client: string }>(
    `SELECT pid, application_name AS client FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
    [databaseName],
  );
  return new Map(rows.map((r) => [r.pid, r.client]));
}

/** Each figure divided by `n` (CPU-s per saga). */
export function perSaga(cpu: CpuBreakdown, n: number): CpuBreakdown {
  return Object.fromEntries(CPU_KEYS.map((k) => [k, n > 0 ? cpu[k] / n : NaN])) as unknown as CpuBreakdown;
}
