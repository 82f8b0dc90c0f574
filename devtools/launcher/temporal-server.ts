import type { OutputMode } from './process';

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
