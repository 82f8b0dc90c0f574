import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { System } from '../../devtools/launcher';
import { sleep } from './http';

export interface FaultPlan {
  /** A worker (one of the running ones, picked at random) is SIGKILLed every `min`–`max` ms, and replaced. */
  workerKillEveryMs: [number, number];
  maxWorkerKills: number;
  /** Offsets from the start of the run; undefined skips that fault. The API restart hits one instance at random. */
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
 * Temporal is down on purpose), and it brings back every worker and API instance, whatever happened to it. With
 * several instances a fault hits one of them while the others keep working: that is what a cluster must survive.
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

  /**
   * Stops injecting once the bounded part of the plan is done (every planned restart, and the kills when their number
   * is bounded), and makes sure every worker and API instance runs again before returning.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.ensureWorkers();
    await this.ensureApis();
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
    let killed = false;
    let apiDone = plan.apiRestartAtMs === undefined;
    let temporalDone = plan.temporalRestartAtMs === undefined;
    let postgresDone = plan.postgresRestartAtMs === undefined;
    // A bounded plan is carried out in full even when the orders were placed sooner than planned (a fast or a slow
    // machine): stop() waits for its last faults, which then hit the sagas still settling.
    const planDone = () =>
      apiDone && temporalDone && postgresDone && (!Number.isFinite(plan.maxWorkerKills) || this.counts.workerKills >= plan.maxWorkerKills);
    while (!this.stopped || !planDone()) {
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
        killed = true;
      }
      await this.ensureWorkers();
      await this.ensureApis();
      // The next kill counts from when the worker is back: every few seconds of its uptime, however long a start
      // takes. Counted from the kill, a start slower than the interval (a loaded machine) left the worker no time
      // to work between kills, and the sagas barely moved.
      if (killed) {
        killed = false;
        killAt = nextKill();
      }
      await sleep(200);
    }
  }

  /** The simulator holds every charge in memory: if it died the run cannot be checked, so say so loudly. */
  private checkSimulator(): void {
    if (!this.stack.process('simulator')?.running) throw new Error('the payment simulator died: its charges are gone, the run cannot be checked');
  }

  /** Instance indexes of a service, 0 … n − 1. */
  private indexes(name: string): number[] {
    return Array.from({ length: this.stack.instances(name) }, (_, i) => i);
  }

  /** One of the instances of a service that run now, picked with the run's seeded random; undefined when none runs. */
  private pickRunning(name: string): number | undefined {
    const running = this.indexes(name).filter((i) => this.stack.process(name, i)?.running);
    return running.length ? running[Math.floor(this.plan.random() * running.length)] : undefined;
  }

  /** An API instance that died on its own (not by our SIGKILL) is replaced, and counted. */
  private async ensureApis(): Promise<void> {
    this.checkSimulator();
    for (const index of this.indexes('api')) {
      const api = this.stack.process('api', index);
      if (api?.running) continue;
      this.counts.apiDeaths++;
      this.note(`${api?.name ?? 'API'} died by itself (${JSON.stringify(await api?.exited)}); replacing it`);
      await this.stack.start('api', index);
    }
  }

  private async killWorker(): Promise<void> {
    const index = this.pickRunning('worker');
    if (index === undefined) return;
    const worker = this.stack.process('worker', index)!;
    this.killedPids.add(worker.pid);
    await this.stack.kill('worker', index);
    this.counts.workerKills++;
    this.note(`SIGKILL ${worker.name} (#${this.counts.workerKills})${this.othersRunning('worker', index)}`);
  }

  /** "; worker-2 keeps polling": which instances go on serving while one is down (nothing with a single one). */
  private othersRunning(name: string, down: number): string {
    const others = this.indexes(name)
      .filter((i) => i !== down && this.stack.process(name, i)?.running)
      .map((i) => this.stack.process(name, i)!.name);
    return others.length ? `; ${others.join(', ')} ${others.length > 1 ? 'keep' : 'keeps'} ${name === 'api' ? 'serving' : 'polling'}` : '';
  }

  /** Starts every worker instance that does not run, retrying while Temporal or PostgreSQL are not back yet. */
  private async ensureWorkers(): Promise<void> {
    for (const index of this.indexes('worker')) await this.ensureWorker(index);
  }

  private async ensureWorker(index: number): Promise<void> {
    const worker = this.stack.process('worker', index);
    if (worker?.running) return;
    if (worker && !this.killedPids.has(worker.pid)) {
      this.counts.workerDeaths++;
      this.note(`${worker.name} died by itself (${JSON.stringify(await worker.exited)}); replacing it`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const ms = await this.stack.startWorker(index);
        this.note(`new ${this.stack.process('worker', index)!.name} polling after ${ms.toFixed(0)} ms`);
        return;
      } catch (err) {
        this.counts.workerStartFailures++;
        this.note(`worker start failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); retrying`);
        if (attempt >= 30) throw err;
        await sleep(1000);
      }
    }
  }

  /** SIGKILLs one API instance (picked at random among several) and starts it again; the others keep serving. */
  private async restartApi(): Promise<void> {
    const index = this.pickRunning('api') ?? 0;
    const name = this.stack.process('api', index)?.name ?? 'API';
    this.note(`SIGKILL ${name}${this.othersRunning('api', index)}`);
    await this.stack.kill('api', index);
    await this.stack.start('api', index);
    this.counts.apiRestarts++;
    this.note(`${name} ready again`);
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
