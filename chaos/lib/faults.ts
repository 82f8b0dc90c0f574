import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { System } from '../../devtools/launcher';
import { sleep } from './http';

export interface FaultPlan {
  /** A worker is SIGKILLed every `min`–`max` ms (and a new one started). */
  workerKillEveryMs: [number, number];
  maxWorkerKills: number;
  /** Offsets from the start of the run; undefined skips that fault. */
  apiRestartAtMs?: number;
  temporalRestartAtMs?: number;
  /** Restarts the machine's PostgreSQL cluster, which other users of it notice: the full run only. */
  postgresRestartAtMs?: number;
  random: () => number;
}

export interface FaultCounts {
  workerKills: number;
  /** Workers that died without being killed (e.g. when Temporal went away) and were replaced. */
  workerDeaths: number;
  /** Worker starts that failed (e.g. Temporal still down) and were tried again. */
  workerStartFailures: number;
  apiRestarts: number;
  /** API processes that died without being killed and were replaced. */
  apiDeaths: number;
  temporalRestarts: number;
  postgresRestarts: number;
}

/**
 * Breaks things while the orders flow: one loop, so faults never overlap (a worker is never being started while
 * Temporal is down on purpose), and it keeps a worker running whatever happened to the last one.
 */
export class FaultInjector {
  readonly counts: FaultCounts = { workerKills: 0, workerDeaths: 0, workerStartFailures: 0, apiRestarts: 0, apiDeaths: 0, temporalRestarts: 0, postgresRestarts: 0 };
  readonly timeline: string[] = [];
  private stopped = false;
  /** Workers we killed on purpose; any other exit is a death to report. */
  private readonly killedPids = new Set<number>();
  private loop?: Promise<void>;
  private readonly started = Date.now();

  constructor(
    private readonly stack: System,
    private readonly plan: FaultPlan,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops injecting, and makes sure a worker and the API run again before returning. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.ensureWorker();
    await this.ensureApi();
  }

  private note(message: string): void {
    const line = `+${((Date.now() - this.started) / 1000).toFixed(1)}s ${message}`;
    this.timeline.push(line);
    this.log(line);
  }

  private async run(): Promise<void> {
    const { plan } = this;
    const nextKill = () => Date.now() + plan.workerKillEveryMs[0] + plan.random() * (plan.workerKillEveryMs[1] - plan.workerKillEveryMs[0]);
    let killAt = nextKill();
    let apiDone = plan.apiRestartAtMs === undefined;
    let temporalDone = plan.temporalRestartAtMs === undefined;
    let postgresDone = plan.postgresRestartAtMs === undefined;
    while (!this.stopped) {
      const elapsed = Date.now() - this.started;
      if (!apiDone && elapsed >= plan.apiRestartAtMs!) {
        apiDone = true;
        await this.restartApi();
      } else if (!temporalDone && elapsed >= plan.temporalRestartAtMs!) {
        temporalDone = true;
        await this.restartTemporal();
      } else if (!postgresDone && elapsed >= plan.postgresRestartAtMs!) {
        postgresDone = true;
        await this.restartPostgres();
      } else if (this.counts.workerKills < plan.maxWorkerKills && Date.now() >= killAt) {
        await this.killWorker();
        killAt = nextKill();
      }
      await this.ensureWorker();
      await this.ensureApi();
      await sleep(200);
    }
  }

  /** The simulator holds every charge in memory: if it died the run cannot be checked, so say so loudly. */
  private checkSimulator(): void {
    if (!this.stack.process('simulator')?.running) throw new Error('the payment simulator died: its charges are gone, the run cannot be checked');
  }

  /** An API that died on its own (not by our SIGKILL) is replaced, and counted. */
  private async ensureApi(): Promise<void> {
    this.checkSimulator();
    const api = this.stack.process('api');
    if (api?.running) return;
    this.counts.apiDeaths++;
    this.note(`API died by itself (${JSON.stringify(await api?.exited)}); replacing it`);
    await this.stack.start('api');
  }

  private async killWorker(): Promise<void> {
    const worker = this.stack.process('worker');
    if (!worker?.running) return;
    this.killedPids.add(worker.pid);
    await this.stack.kill('worker');
    this.counts.workerKills++;
    this.note(`SIGKILL worker (#${this.counts.workerKills})`);
  }

  /** Starts a worker when none runs, retrying while Temporal or PostgreSQL are not back yet. */
  private async ensureWorker(): Promise<void> {
    const worker = this.stack.process('worker');
    if (worker?.running) return;
    if (worker && !this.killedPids.has(worker.pid)) {
      this.counts.workerDeaths++;
      this.note(`worker died by itself (${JSON.stringify(await worker.exited)}); replacing it`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const ms = await this.stack.startWorker();
        this.note(`new worker polling after ${ms.toFixed(0)} ms`);
        return;
      } catch (err) {
        this.counts.workerStartFailures++;
        this.note(`worker start failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); retrying`);
        if (attempt >= 30) throw err;
        await sleep(1000);
      }
    }
  }

  private async restartApi(): Promise<void> {
    this.note('SIGKILL API');
    await this.stack.kill('api');
    await this.stack.start('api');
    this.counts.apiRestarts++;
    this.note('API ready again');
  }

  private async restartTemporal(): Promise<void> {
    this.note('SIGKILL the Temporal server');
    await this.stack.temporal!.restart();
    this.counts.temporalRestarts++;
    this.note('Temporal server back (same persisted state)');
  }

  private async restartPostgres(): Promise<void> {
    const version = readdirSync('/etc/postgresql').sort().at(-1);
    if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
    this.note(`restarting PostgreSQL ${version}/main (pg_ctlcluster)`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
    for (let i = 0; i < 60; i++) {
      try {
        execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
        break;
      } catch {
        await sleep(500);
      }
    }
    this.counts.postgresRestarts++;
    this.note('PostgreSQL accepting connections again');
  }
}
