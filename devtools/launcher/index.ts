import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../src/config';
import { configSchema, loadConfig } from '../../src/config';
import { temporalClientOptions } from '../../src/temporal/options';
import { PROJECT_ROOT } from '../project-root';
import type { Runtime } from './compiled';
import { buildCompiled, compiledEntry } from './compiled';
import { prepareDatabase } from './database';
import { answers, freePort, httpOk, waitUntil } from './ports';
import type { ProcessExit } from './process';
import { ManagedProcess } from './process';
import type { ServiceSpec } from './services';
import { instanceName, planPorts } from './services';
import { loadLauncherSettings } from './settings';
import type { TemporalPersistence } from './temporal';
import { existingServer, TEMPORAL_MODES } from './temporal';
import type { TemporalServer } from './temporal-server';
import { splitAddress } from './temporal-server';

export type { Runtime } from './compiled';
export { RUNTIMES } from './compiled';
export type { ServiceSpec } from './services';
export { planPorts, systemServices } from './services';
export type { TemporalPersistence } from './temporal';
export type { TemporalServer, TemporalStarter } from './temporal-server';
export { ManagedProcess } from './process';

export interface LaunchOptions {
  /** Names the run in log lines and its work directory (`start`, `bench`, `chaos`). */
  name: string;
  databaseUrl: string;
  /** Drop and recreate the database first (a clean ledger for a bench or chaos run). Default false. */
  recreateDatabase?: boolean;
  /** What runs, in start order (stopped in reverse); see systemServices. */
  services: ServiceSpec[];
  /**
   * `config`: the ports of the settings (PORT, SIMULATOR_PORT, TEMPORAL_ADDRESS, …), instance i of a process
   * adding i × its number of ports (API 2 on PORT + 1; worker 2 on WORKER_METRICS_PORT + 2 and
   * WORKER_SDK_METRICS_PORT + 2). `free`: every port a free one the OS picks, for runs beside `npm start`.
   */
  ports: 'config' | 'free';
  temporal?: {
    persistence?: TemporalPersistence;
    /** Use a Temporal server already answering at TEMPORAL_ADDRESS instead of starting one (`config` ports only). */
    reuseRunning?: boolean;
    /** Keep Temporal's state in the work directory, so restart() loses nothing. */
    persist?: boolean;
    /** `--dynamic-config-value` settings; undefined: the mode's defaults. */
    dynamicConfig?: readonly string[];
  };
  /** Settings for every process, over the inherited environment and the addresses the launcher hands out. */
  env?: Record<string, string>;
  /** `console`: prefixed lines on stdout; `files`: one log file per process in the work directory. */
  logs: 'console' | 'files';
  /** Logs and Temporal's state; default: a new temporary directory (removable with stop({ removeWorkDir })). */
  workDir?: string;
  /**
   * `tsx` (default): each service's TypeScript entry through the tsx loader. `compiled`: tsc compiles them first
   * (tsconfig.build.json's settings, into .data/compiled/; skipped when the sources are unchanged since the last
   * build) and plain node runs the JavaScript, as the production image does (see compiled.ts).
   */
  runtime?: Runtime;
  /** A workflow bundle built once for every worker (`build`: from this workflows module), or a prebuilt one. */
  workflowBundle?: { path: string } | { build: string };
  /** A process that exits without being stopped or killed by us (npm start shuts everything down then). */
  onUnexpectedExit?: (name: string, exit: ProcessExit) => void;
  log?: (message: string) => void;
}

const READY_TIMEOUT_MS = 120_000;

/** Starts the system: Temporal, the database, then every service, each waited for until ready. */
export async function launch(options: LaunchOptions): Promise<System> {
  const system = new System(options);
  System.live.add(system);
  try {
    await system.startAll();
  } catch (err) {
    await system.stop();
    throw err;
  }
  return system;
}

/** The system as separate processes: what launch() started, and how to stop, kill or restart each part. */
export class System {
  /** Systems started and not yet stopped, so a signal handler can stop them all (see stopOnSignals). */
  static readonly live = new Set<System>();
  readonly workDir: string;
  temporal?: TemporalServer;
  /** Process start → ready, per service name, in ms, one figure per start (see start). */
  readonly readyMs = new Map<string, number[]>();
  private readonly ownsWorkDir: boolean;
  private readonly running = new Map<string, (ManagedProcess | undefined)[]>();
  /** Ports by process name and setting (`api-2` → PORT → 3001). */
  private readonly ports = new Map<string, Record<string, number>>();
  private readonly expected = new Set<ManagedProcess>();
  private baseEnv: NodeJS.ProcessEnv = {};
  private stopped = false;
  /** `compiled`: where the JavaScript is (set by startAll's build). */
  private compiledDir?: string;
  private readonly log: (message: string) => void;

  constructor(readonly options: LaunchOptions) {
    this.log = options.log ?? ((m) => process.stderr.write(`[${options.name}] ${m}\n`));
    this.ownsWorkDir = !options.workDir;
    this.workDir = options.workDir ?? mkdtempSync(path.join(os.tmpdir(), `order-saga-${options.name}-`));
    mkdirSync(this.workDir, { recursive: true });
  }

  /** The settings the first API instance runs with. */
  get config(): Config {
    return loadConfig({ ...this.envFor(this.spec('api'), 0), LOG_LEVEL: 'info' });
  }

  /** The environment the first instance of a service starts with (e.g. the worker's NODE_OPTIONS, for a report). */
  envOf(name: string): NodeJS.ProcessEnv {
    return this.envFor(this.spec(name), 0);
  }

  /** The workflow bundle every worker loads, when one was built or given. */
  get workflowBundlePath(): string | undefined {
    const bundle = this.options.workflowBundle;
    return bundle && 'path' in bundle ? bundle.path : undefined;
  }

  /** How the services run (LaunchOptions.runtime). */
  get runtime(): Runtime {
    return this.options.runtime ?? 'tsx';
  }

  get temporalAddress(): string {
    return this.temporal!.address;
  }

  get databaseName(): string {
    return new URL(this.options.databaseUrl).pathname.slice(1);
  }

  /** The base URL of a process's first port (`api`, instance 0 → http://127.0.0.1:PORT). */
  url(name: string, index = 0): string {
    const spec = this.spec(name);
    return `http://127.0.0.1:${this.ports.get(instanceName(spec, index))![spec.portKeys[0]]}`;
  }

  get apiUrl(): string {
    return this.url('api');
  }

  get apiUrls(): string[] {
    return Array.from({ length: this.spec('api').instances }, (_, i) => this.url('api', i));
  }

  get simulatorUrl(): string {
    return this.url('simulator');
  }

  /** How many instances of a service the system runs (WORKERS, API_INSTANCES); index them 0 … n − 1. */
  instances(name: string): number {
    return this.spec(name).instances;
  }

  /** The latest process of a service instance, running or not (undefined when never started). */
  process(name: string, index = 0): ManagedProcess | undefined {
    return this.running.get(name)?.[index];
  }

  /** The PIDs running now, by service name, plus `temporal`. */
  pids(): Record<string, number[]> {
    const pids: Record<string, number[]> = { temporal: this.temporal?.pids() ?? [] };
    for (const [name, procs] of this.running) pids[name] = procs.filter((p) => p?.running).map((p) => p!.pid);
    return pids;
  }

  async startAll(): Promise<void> {
    await this.planPorts();
    this.compile();
    this.buildBundle();
    await this.startTemporal();
    if (this.stopped) throw new Error('stopped while starting');
    const { created, applied } = await prepareDatabase(this.options.databaseUrl, {
      recreate: this.options.recreateDatabase,
    });
    if (created) this.log(`created database ${this.databaseName}`);
    this.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
    for (const spec of this.options.services)
      this.running.set(spec.name, new Array<ManagedProcess | undefined>(spec.instances).fill(undefined));
    // Every process started before any is waited for: the worker bundles its workflows while the API comes up.
    const starting: Promise<unknown>[] = [];
    for (const spec of this.options.services) {
      for (let i = 0; i < spec.instances; i++) starting.push(this.start(spec.name, i));
    }
    const results = await Promise.allSettled(starting);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /**
   * Starts one instance of a service (again) and waits until it is ready; answers how long that took from process
   * start: the process's own `startupMs` figure when its ready line carries one (the worker's), else our own.
   */
  async start(name: string, index = 0): Promise<number> {
    if (this.stopped) throw new Error(`not starting ${name}: the system is stopping`);
    const spec = this.spec(name);
    const label = instanceName(spec, index);
    const output =
      this.options.logs === 'console' ? ('console' as const) : { logFile: path.join(this.workDir, `${label}.log`) };
    const proc = new ManagedProcess(
      {
        name: label,
        command: process.execPath,
        args: [...profilingFlags(label), ...this.entryArgs(spec)],
        cwd: PROJECT_ROOT,
        env: this.envFor(spec, index),
        output,
      },
      (exit) => {
        if (!this.expected.has(proc)) this.options.onUnexpectedExit?.(label, exit);
      },
    );
    this.running.get(name)![index] = proc;
    const { ready } = spec;
    let ms: number;
    if ('logLine' in ready) {
      const seen = await proc.waitForLog(ready.logLine, READY_TIMEOUT_MS);
      ms = parseStartupMs(seen.line) ?? seen.ms;
    } else {
      const url = `http://127.0.0.1:${this.ports.get(label)![ready.portKey]}${ready.httpPath}`;
      await waitUntil(
        label,
        async () => {
          if (!proc.running)
            throw new Error(`${label} exited (${JSON.stringify(await proc.exited)}) before it was ready`);
          return httpOk(url);
        },
        READY_TIMEOUT_MS,
      );
      ms = performance.now() - proc.startedAt;
    }
    this.readyMs.set(name, [...(this.readyMs.get(name) ?? []), ms]);
    return ms;
  }

  /** Worker start → polling, per worker start, in ms. */
  get workerStartMs(): number[] {
    return this.readyMs.get('worker') ?? [];
  }

  startWorker(index = 0): Promise<number> {
    return this.start('worker', index);
  }

  /** SIGKILL one instance: the crash a chaos run inflicts. */
  async kill(name: string, index = 0): Promise<ProcessExit | undefined> {
    const proc = this.process(name, index);
    if (!proc?.running) return undefined;
    this.expected.add(proc);
    return proc.kill();
  }

  /** SIGTERM one instance (SIGKILL after the grace period) and wait until it is gone. */
  async stopOne(name: string, index = 0, graceMs = 20_000): Promise<void> {
    const proc = this.process(name, index);
    if (!proc?.running) return;
    this.expected.add(proc);
    await proc.stop(graceMs);
  }

  /** A Temporal client on the system's server (the caller closes its connection). */
  async client(): Promise<Client> {
    const connection = await Connection.connect({ address: this.temporalAddress });
    // The system's payload encryption keys, so this client reads what the processes wrote.
    return new Client({ connection, namespace: this.temporal!.namespace, ...temporalClientOptions(loadConfig(this.baseEnv)) });
  }

  /** What `npm start` prints once everything is up. */
  urlLines(): string[] {
    const lines: string[] = [];
    const apis = this.apiUrls;
    apis.forEach((api, i) => lines.push(`${(apis.length > 1 ? `API ${i + 1}` : 'API').padEnd(17)}${api}`));
    lines.push(`${'API docs'.padEnd(17)}${apis[0]}/docs   (OpenAPI: ${apis[0]}/openapi.json)`);
    lines.push(`${'Temporal UI'.padEnd(17)}${this.temporal?.uiUrl ?? loadConfig(this.baseEnv).TEMPORAL_UI_URL}`);
    lines.push(`${'Simulator'.padEnd(17)}${this.simulatorUrl}`);
    const workers = this.spec('worker').instances;
    for (let i = 0; i < workers; i++)
      lines.push(
        `${(workers > 1 ? `Worker ${i + 1} metrics` : 'Worker metrics').padEnd(17)}${this.url('worker', i)}/metrics`,
      );
    for (const spec of this.options.services.filter((s) => !['api', 'worker', 'simulator'].includes(s.name))) {
      for (let i = 0; i < spec.instances; i++)
        lines.push(`${instanceName(spec, i).padEnd(17)}${this.url(spec.name, i)}`);
    }
    return lines;
  }

  /**
   * Stops everything this run started, newest first (APIs, workers, simulator, then Temporal): SIGTERM, then SIGKILL
   * after a grace period. With `removeWorkDir` a temporary work directory goes too (keep it when something needs
   * explaining).
   */
  async stop(options: { removeWorkDir?: boolean; graceMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const spec of [...this.options.services].reverse()) {
      const procs = this.running.get(spec.name) ?? [];
      await Promise.all(
        procs.map(async (proc) => {
          if (!proc?.running) return;
          this.expected.add(proc);
          this.log(`stopping ${proc.name}…`);
          await proc.stop(options.graceMs ?? 20_000);
        }),
      );
    }
    if (this.temporal?.pids().length) this.log('stopping temporal…');
    await this.temporal?.stop();
    System.live.delete(this);
    if (options.removeWorkDir && this.ownsWorkDir) rmSync(this.workDir, { recursive: true, force: true });
  }

  /** For scripts: on SIGINT/SIGTERM, stop every live system (no stray dev servers or workers), then exit. */
  static stopOnSignals(log: (message: string) => void, exitCode = 130): void {
    let stopping = false;
    const handler = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping every process this run started…`);
      void Promise.allSettled([...System.live].map((s) => s.stop())).then(() => process.exit(exitCode));
    };
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
  }

  private spec(name: string): ServiceSpec {
    const spec = this.options.services.find((s) => s.name === name);
    if (!spec) throw new Error(`no ${name} among the launched services`);
    return spec;
  }

  /** Every port of every instance, decided before anything starts; a clash is refused with the settings named. */
  private async planPorts(): Promise<void> {
    const free = this.options.ports === 'free';
    const settings = free ? undefined : loadConfig();
    const temporalAddress = settings ? settings.TEMPORAL_ADDRESS : `127.0.0.1:${await freePort()}`;
    const uiPort = settings ? settings.TEMPORAL_UI_PORT : 0;
    const planned = await planPorts(
      this.options.services,
      settings ? (key) => Number(settings[key as keyof Config] ?? process.env[key] ?? 0) : undefined,
      [
        [splitAddress(temporalAddress).port, 'Temporal (TEMPORAL_ADDRESS)'],
        [uiPort, 'the Temporal UI (TEMPORAL_UI_PORT)'],
      ],
    );
    for (const [label, ports] of planned) this.ports.set(label, ports);
    this.baseEnv = { ...process.env };
    if (free) {
      // Loopback only, and whatever ports the services grow, none may fall back to a default `npm start` uses.
      Object.assign(this.baseEnv, { HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info' });
      // Production refuses the shipped development secrets: such a run gets fresh random ones (drivers read them
      // from `config`), unless the caller set its own.
      for (const key of ['ADMIN_TOKEN', 'PAYMENT_WEBHOOK_SECRET', 'CARRIER_WEBHOOK_SECRET', 'AUTH_JWT_SECRET', 'METRICS_TOKEN']) {
        if (!this.baseEnv[key]) this.baseEnv[key] = randomBytes(32).toString('base64url');
      }
      // Production pins HS256 tokens to an issuer and an audience; the drivers sign with the same settings.
      this.baseEnv.AUTH_ISSUER ||= 'order-saga-run';
      this.baseEnv.AUTH_AUDIENCE ||= 'order-saga-api';
      for (const key of Object.keys(configSchema.shape).filter((k) => k.endsWith('_PORT')))
        this.baseEnv[key] = String(await freePort());
      // Production refuses the public development key: a run-local one, shared by every process of this run.
      this.baseEnv.PAYLOAD_ENCRYPTION_KEYS ||= `run:${randomBytes(32).toString('base64')}`;
    }
    Object.assign(this.baseEnv, { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_UI_PORT: String(uiPort) });
  }

  /** The `compiled` runtime's build, once per launch, before anything starts (a no-op when it is up to date). */
  private compile(): void {
    if (this.runtime !== 'compiled') return;
    const build = buildCompiled(this.options.services.map((s) => s.entry), { log: this.log });
    this.compiledDir = build.outDir;
    this.log(
      build.built
        ? `compiled in ${(build.ms / 1000).toFixed(1)} s into ${path.relative(PROJECT_ROOT, build.outDir)}/`
        : `compiled JavaScript in ${path.relative(PROJECT_ROOT, build.outDir)}/ is up to date`,
    );
  }

  /** What node runs: the compiled entry, or the TypeScript one through the tsx loader. */
  private entryArgs(spec: ServiceSpec): string[] {
    return this.compiledDir ? [compiledEntry(spec.entry, this.compiledDir)] : ['--import', 'tsx', spec.entry];
  }

  private buildBundle(): void {
    const bundle = this.options.workflowBundle;
    if (!bundle || 'path' in bundle) return;
    const out = path.join(this.workDir, 'workflow-bundle.js');
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', out, bundle.build],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`building the workflow bundle failed:\n${result.stdout}${result.stderr}`);
    this.options.workflowBundle = { path: out };
    this.log(`workflow bundle built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  private async startTemporal(): Promise<void> {
    const address = this.baseEnv.TEMPORAL_ADDRESS!;
    const config = loadConfig(this.baseEnv);
    const { host, port } = splitAddress(address);
    const persistence = this.options.temporal?.persistence ?? 'dev';
    if (this.options.temporal?.reuseRunning && (await answers(host, port))) {
      this.log(`using the Temporal server already at ${address}`);
      this.temporal = existingServer(address, config.TEMPORAL_NAMESPACE, undefined);
      return;
    }
    this.temporal = await TEMPORAL_MODES[persistence]({
      address,
      namespace: config.TEMPORAL_NAMESPACE,
      uiPort: Number(this.baseEnv.TEMPORAL_UI_PORT),
      stateDir: this.options.temporal?.persist ? this.workDir : undefined,
      workDir: this.workDir,
      database: { url: this.options.databaseUrl, fresh: Boolean(this.options.recreateDatabase) },
      dynamicConfig: this.options.temporal?.dynamicConfig,
      output: (name) =>
        this.options.logs === 'console' ? 'console' : { logFile: path.join(this.workDir, `${name}.log`) },
      uiCodecEndpoint: this.ports.get('codec-server')?.CODEC_PORT ? `http://127.0.0.1:${this.ports.get('codec-server')!.CODEC_PORT}/codec` : undefined,
      log: this.log,
    });
  }

  /**
   * What a process sees: the service's production defaults (its `defaults`), the inherited environment, the addresses
   * the launcher hands out (Temporal, the database, the simulator for payments, notifications and shipments, the first
   * API for webhooks), the caller's settings, the service's own, and last its instance's ports.
   */
  private envFor(spec: ServiceSpec, index: number): NodeJS.ProcessEnv {
    const firstPorts = (name: string) => this.ports.get(instanceName(this.spec(name), 0))!;
    const has = (name: string) => this.options.services.some((s) => s.name === name);
    // With the settings' ports, a URL the user set (say PAYMENT_PROVIDER_URL at another provider) is theirs.
    const unlessSet = (key: string, value: string) =>
      this.options.ports === 'config' && process.env[key] ? {} : { [key]: value };
    const derived: Record<string, string> = {
      DATABASE_URL: this.options.databaseUrl,
      TEMPORAL_ADDRESS: this.temporal?.address ?? this.baseEnv.TEMPORAL_ADDRESS!,
      TEMPORAL_NAMESPACE: this.temporal?.namespace ?? loadConfig(this.baseEnv).TEMPORAL_NAMESPACE,
      LOG_FORMAT:
        this.options.logs === 'files' ? 'json' : (process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')),
      ...(this.temporal?.uiUrl ? unlessSet('TEMPORAL_UI_URL', this.temporal.uiUrl) : {}),
    };
    for (const s of this.options.services)
      for (const [key, port] of Object.entries(firstPorts(s.name))) derived[key] = String(port);
    if (has('simulator')) {
      const simulator = this.simulatorUrl;
      Object.assign(
        derived,
        unlessSet('PAYMENT_PROVIDER_URL', simulator),
        unlessSet('NOTIFIER_URL', simulator),
        unlessSet('CARRIER_URL', simulator),
      );
    }
    if (has('api')) {
      Object.assign(
        derived,
        unlessSet('SIM_WEBHOOK_URL', `${this.apiUrl}/webhooks/payments`),
        unlessSet('SIM_CARRIER_WEBHOOK_URL', `${this.apiUrl}/webhooks/carrier`),
      );
    }
    const bundle = this.options.workflowBundle;
    if (bundle && 'path' in bundle) derived.WORKFLOW_BUNDLE_PATH = bundle.path;
    const own = Object.fromEntries(
      Object.entries(this.ports.get(instanceName(spec, index))!).map(([k, v]) => [k, String(v)]),
    );
    return { ...spec.defaults, ...this.baseEnv, ...derived, ...this.options.env, ...spec.env, ...own };
  }
}

/** The `startupMs` a JSON ready line carries (the worker's `worker polling`), if any. */
function parseStartupMs(line: string): number | undefined {
  try {
    const value = (JSON.parse(line) as { startupMs?: unknown }).startupMs;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `--cpu-prof` flags when NODE_CPU_PROFILE_DIR asks for profiles (a flag NODE_OPTIONS refuses, so it goes here). */
function profilingFlags(label: string): string[] {
  const dir = loadLauncherSettings().NODE_CPU_PROFILE_DIR;
  if (!dir) return [];
  // One folder per service instance: node names the files by time and pid.
  return ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir, label)}`];
}
