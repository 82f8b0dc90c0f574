import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { devServerArgs, ensureTemporalCli } from '../temporal-cli';
import { startPostgresCluster } from './temporal-postgres';
import { answers, waitUntil } from './ports';
import type { OutputMode } from './process';
import { ManagedProcess } from './process';

/** What the launcher asks of a persistence mode: start Temporal for these settings. */
export interface TemporalOptions {
  /** host:port the frontend listens on. */
  address: string;
  namespace: string;
  /** The Web UI's port; 0: no UI. */
  uiPort: number;
  /** Where the server keeps its state so that it survives a restart; undefined: in memory (gone on stop). */
  stateDir?: string;
  /** The run's own files (logs, configs). */
  workDir: string;
  /** The system's PostgreSQL (modes that persist there); `fresh`: the run recreates its database, so Temporal's too. */
  database?: { url: string; fresh: boolean };
  /** `--dynamic-config-value KEY=VALUE` settings; undefined: the mode's defaults. */
  dynamicConfig?: readonly string[];
  /** The codec server the Web UI asks to decrypt payloads (http://127.0.0.1:<CODEC_PORT>/codec), when one runs. */
  uiCodecEndpoint?: string;
  /** Output of each process the mode runs, by its name. */
  output: (name: string) => OutputMode;
  log: (message: string) => void;
}

/** A running Temporal service, whatever runs it. */
export interface TemporalServer {
  readonly mode: string;
  readonly address: string;
  readonly namespace: string;
  /** The Web UI, when there is one. */
  readonly uiUrl?: string;
  /** The PostgreSQL database holding its executions and histories, in modes that persist there. */
  readonly database?: string;
  /** How it was started (command-line arguments), for reports. */
  readonly args: string[];
  /** The processes it runs (none when the launcher found a server already running), e.g. for CPU figures. */
  pids(): number[];
  /** Crashes it (SIGKILL) and starts it again on the same state: for chaos runs. */
  restart(): Promise<void>;
  /** Stops what it started (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export type TemporalStarter = (options: TemporalOptions) => Promise<TemporalServer>;

export function splitAddress(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host, port: Number(port ?? 7233) };
}

/** The port opens before the namespace and search attributes exist: waits until a client can use them. */
export async function waitForNamespace(address: string, namespace: string, timeoutMs = 60_000): Promise<void> {
  const { host, port } = splitAddress(address);
  await waitUntil(`Temporal at ${address}`, () => answers(host, port), timeoutMs);
  const connection = await Connection.connect({ address });
  try {
    await waitUntil(
      `the ${namespace} namespace`,
      () =>
        connection.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        ),
      timeoutMs,
    );
  } finally {
    await connection.close();
  }
}

/**
 * The `dev` persistence mode: the Temporal CLI's dev server (one process, SQLite, one history shard), with the
 * project's search attributes and dynamic config (devServerArgs).
 */
export const startDevServer: TemporalStarter = async (options) => {
  const cli = ensureTemporalCli(options.log);
  const { port } = splitAddress(options.address);
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const args = devServerArgs({
    port,
    uiPort: options.uiPort || undefined,
    namespace: options.namespace,
    dbFilename: options.stateDir ? path.join(options.stateDir, 'temporal.db') : undefined,
    dynamicConfig: options.dynamicConfig,
    uiCodecEndpoint: options.uiCodecEndpoint,
  });
  const start = async () => {
    const server = new ManagedProcess({
      name: 'temporal',
      command: cli,
      args,
      env: process.env,
      output: options.output('temporal'),
    });
    try {
      await Promise.race([
        waitForNamespace(options.address, options.namespace),
        server.exited.then((exit) => {
          throw new Error(`the Temporal dev server exited while starting (${JSON.stringify(exit)})`);
        }),
      ]);
    } catch (err) {
      await server.stop(2000);
      throw err;
    }
    return server;
  };
  let server = await start();
  return {
    mode: 'dev',
    address: options.address,
    namespace: options.namespace,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    args,
    pids: () => (server.running ? [server.pid] : []),
    async restart() {
      if (!options.stateDir)
        throw new Error('restarting an in-memory dev server would lose every workflow: give it a stateDir');
      await server.kill(); // SQLite in WAL mode survives a crash
      server = await start();
    },
    async stop() {
      await server.stop(10_000);
    },
  };
};

/** A Temporal server someone else runs (found answering at the address): used as it is, never stopped. */
export function existingServer(address: string, namespace: string, uiUrl: string | undefined): TemporalServer {
  return {
    mode: 'existing',
    address,
    namespace,
    uiUrl,
    args: [],
    pids: () => [],
    restart: () => Promise.reject(new Error(`the Temporal server at ${address} is not ours to restart`)),
    stop: () => Promise.resolve(),
  };
}

/**
 * Every way the launcher can run Temporal (TEMPORAL_PERSISTENCE). A new mode is one more TemporalStarter here:
 * it builds or finds its binaries, starts its processes, registers the namespace and search attributes, and
 * answers once a client can use the namespace.
 */
export const TEMPORAL_MODES = {
  dev: startDevServer,
  postgres: startPostgresCluster,
} satisfies Record<string, TemporalStarter>;

export type TemporalPersistence = keyof typeof TEMPORAL_MODES;
