import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../src/config';
import { configSchema, loadConfig } from '../../src/config';
import { temporalClientOptions } from '../../src/temporal/options';
import { devServerArgs, ensureTemporalCli, PROJECT_ROOT } from '../../src/devtools/temporal-cli';
import { ManagedChild } from './child';
import { prepareDatabase } from './database';
import { answers, freePort, httpOk, waitUntil } from '../../src/devtools/ports';

export interface StackOptions {
  /** Names the work directory (logs, SQLite file, bundle). */
  name: string;
  databaseUrl: string;
  /** Drop and recreate the database first (a clean ledger for the run). Default true. */
  recreateDatabase?: boolean;
  /** Settings for every service (PAYMENT_TIMEOUT, WORKER_*, DATABASE_POOL_MAX…), over the inherited environment. */
  env?: Record<string, string>;
  /** Settings for the simulator only (SIM_*). */
  simulatorEnv?: Record<string, string>;
  /** Persist the dev server to a SQLite file, so it can be restarted without losing workflows. */
  temporalPersist?: boolean;
  /** `--dynamic-config-value KEY=VALUE` flags for the dev server; default: what `npm start` uses (devServerArgs). */
  temporalDynamicConfig?: string[];
  /** LOG_LEVEL of the services; the worker logs `worker polling` at info, so at least info for it. */
  logLevel?: string;
  /** A prebuilt workflow bundle; without one, scripts/build-workflow-bundle.ts builds one into the work dir. */
  workflowBundlePath?: string;
  log?: (message: string) => void;
}

export interface StackPorts {
  temporal: number;
  api: number;
  simulator: number;
  /** Every other `*_PORT` setting (worker metrics, SDK metrics, …), each on a free port of its own. */
  others: Record<string, number>;
}

/**
 * The whole system as separate processes on free loopback ports, for the benchmark and the chaos run: a Temporal
 * dev server (the project's CLI), PostgreSQL (the machine's, a database of our own), the payment simulator, the
 * worker (prebuilt bundle) and the API. Services can be killed and started again one by one.
 */
export class ProcessStack {
  /** Stacks started and not yet stopped, so a Ctrl-C handler can stop them all (see stopOnSignals). */
  private static readonly live = new Set<ProcessStack>();
  temporal?: ManagedChild;
  simulator?: ManagedChild;
  worker?: ManagedChild;
  api?: ManagedChild;
  temporalArgs: string[] = [];
  /** Process start → `worker polling`, per worker start, in ms (see startWorker). */
  readonly workerStartMs: number[] = [];
  readonly config: Config;
  private readonly log: (message: string) => void;

  private constructor(
    readonly options: StackOptions,
    readonly ports: StackPorts,
    readonly workDir: string,
    readonly bundlePath: string,
  ) {
    this.log = options.log ?? ((m) => process.stderr.write(`[${options.name}] ${m}\n`));
    this.config = loadConfig({ ...this.serviceEnv(), LOG_LEVEL: 'info' });
  }

  static async start(options: StackOptions): Promise<ProcessStack> {
    const workDir = mkdtempSync(path.join(os.tmpdir(), `order-saga-${options.name}-`));
    const others: Record<string, number> = {};
    // Whatever ports the services grow (metrics exporters…), none may fall back to a default `npm start` uses.
    for (const key of Object.keys(configSchema.shape).filter((k) => k.endsWith('_PORT') && k !== 'SIMULATOR_PORT')) others[key] = await freePort();
    const ports: StackPorts = { temporal: await freePort(), api: await freePort(), simulator: await freePort(), others };
    const bundlePath = options.workflowBundlePath ?? path.join(workDir, 'workflow-bundle.js');
    const stack = new ProcessStack(options, ports, workDir, bundlePath);
    ProcessStack.live.add(stack);
    try {
      if (!options.workflowBundlePath) stack.buildBundle();
      await stack.startTemporal();
      await stack.prepareDatabase();
      await stack.startApi();
      await stack.startSimulator();
      await stack.startWorker();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get simulatorUrl(): string {
    return `http://127.0.0.1:${this.ports.simulator}`;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  get databaseName(): string {
    return new URL(this.options.databaseUrl).pathname.slice(1);
  }

  /** What every service sees: the inherited environment, the stack's addresses, then the caller's settings. */
  private serviceEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      LOG_LEVEL: this.options.logLevel ?? 'info',
      HOST: '127.0.0.1',
      DATABASE_URL: this.options.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_UI_URL: `http://127.0.0.1:${this.ports.temporal + 1000}`,
      PORT: String(this.ports.api),
      SIMULATOR_PORT: String(this.ports.simulator),
      ...Object.fromEntries(Object.entries(this.ports.others).map(([k, v]) => [k, String(v)])),
      PAYMENT_PROVIDER_URL: this.simulatorUrl,
      NOTIFIER_URL: this.simulatorUrl,
      SIM_WEBHOOK_URL: `${this.apiUrl}/webhooks/payments`,
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      ...this.options.env,
    };
  }

  private logFile(service: string): string {
    mkdirSync(this.workDir, { recursive: true });
    return path.join(this.workDir, `${service}.log`);
  }

  private startService(name: string, entry: string, extraEnv: Record<string, string> = {}): ManagedChild {
    return ManagedChild.start({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      cwd: PROJECT_ROOT,
      env: { ...this.serviceEnv(), ...extraEnv },
      logFile: this.logFile(name),
    });
  }

  buildBundle(): void {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', this.bundlePath], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`building the workflow bundle failed:\n${result.stdout}${result.stderr}`);
    this.log(`workflow bundle built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  async startTemporal(): Promise<void> {
    const cli = ensureTemporalCli(this.log);
    this.temporalArgs = devServerArgs({
      port: this.ports.temporal,
      namespace: 'default',
      dbFilename: this.options.temporalPersist ? path.join(this.workDir, 'temporal.db') : undefined,
      dynamicConfig: this.options.temporalDynamicConfig,
    });
    this.temporal = ManagedChild.start({ name: 'temporal', command: cli, args: this.temporalArgs, env: process.env, logFile: this.logFile('temporal') });
    await waitUntil('the Temporal dev server', () => answers('127.0.0.1', this.ports.temporal), 60_000);
    // The port opens before the namespace and search attributes are registered: wait until a client can use them.
    const connection = await Connection.connect({ address: this.temporalAddress });
    try {
      await waitUntil(
        'the default namespace',
        async () => {
          try {
            await connection.workflowService.describeNamespace({ namespace: 'default' });
            return true;
          } catch {
            return false;
          }
        },
        30_000,
      );
    } finally {
      await connection.close();
    }
  }

  /** SIGKILL the dev server (it persists to SQLite in WAL mode, which survives a process crash) and start it again. */
  async restartTemporal(): Promise<void> {
    if (!this.options.temporalPersist) throw new Error('restartTemporal needs temporalPersist: an in-memory server would lose every workflow');
    await this.temporal?.kill();
    await this.startTemporal();
  }

  async prepareDatabase(): Promise<void> {
    await prepareDatabase(this.options.databaseUrl, { recreate: this.options.recreateDatabase ?? true });
  }

  async startApi(): Promise<void> {
    this.api = this.startService('api', 'src/api/main.ts');
    await waitUntil('the API', () => httpOk(`${this.apiUrl}/readyz`), 60_000);
  }

  async startSimulator(): Promise<void> {
    this.simulator = this.startService('simulator', 'src/simulator/main.ts', this.options.simulatorEnv);
    await waitUntil('the simulator', () => httpOk(`${this.simulatorUrl}/healthz`), 60_000);
  }

  /**
   * Starts a worker and waits until it polls; answers how long that took from process start (and records it):
   * the worker's own figure (`startupMs` in its `worker polling` line) when it logs one, else spawn → that line.
   */
  async startWorker(): Promise<number> {
    this.worker = this.startService('worker', 'src/worker/main.ts');
    const { ms, line } = await this.worker.waitForLog('worker polling', 60_000);
    let reported: unknown;
    try {
      reported = (JSON.parse(line) as { startupMs?: unknown }).startupMs;
    } catch {
      /* not a JSON line: keep our own measurement */
    }
    const startupMs = typeof reported === 'number' ? reported : ms;
    this.workerStartMs.push(startupMs);
    return startupMs;
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill();
  }

  async killApi(): Promise<void> {
    await this.api?.kill();
  }

  /** A Temporal client on the stack's dev server (the caller closes its connection). */
  async client(): Promise<Client> {
    const connection = await Connection.connect({ address: this.temporalAddress });
    // The processes' default (development) encryption keys, or PAYLOAD_ENCRYPTION_KEYS when the caller set one.
    return new Client({ connection, namespace: 'default', ...temporalClientOptions(loadConfig()) });
  }

  /** The PIDs of the processes this stack runs now. */
  pids(): { api?: number; worker?: number; temporal?: number; simulator?: number } {
    const pid = (c?: ManagedChild) => (c?.running ? c.pid : undefined);
    return { api: pid(this.api), worker: pid(this.worker), temporal: pid(this.temporal), simulator: pid(this.simulator) };
  }

  /**
   * Stops everything this stack started, newest first (SIGTERM, then SIGKILL after a grace period). With
   * `removeWorkDir` the logs, SQLite file and bundle go too (keep them when something needs explaining).
   */
  async stop(options: { removeWorkDir?: boolean } = {}): Promise<void> {
    for (const child of [this.api, this.worker, this.simulator, this.temporal]) {
      if (child?.running) await child.stop(10_000);
    }
    ProcessStack.live.delete(this);
    if (options.removeWorkDir) rmSync(this.workDir, { recursive: true, force: true });
  }

  /** For scripts: on SIGINT/SIGTERM, stop every live stack (no stray dev servers or workers), then exit 130. */
  static stopOnSignals(log: (message: string) => void): void {
    let stopping = false;
    const handler = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping every process this run started…`);
      void Promise.allSettled([...ProcessStack.live].map((s) => s.stop())).then(() => process.exit(130));
    };
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
  }
}
