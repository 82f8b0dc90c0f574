import { WORKER_PROCESS_ENV } from '../../src/worker/process-settings';
import { freePort } from './ports';

/** How the launcher tells that a process is ready. */
export type Readiness =
  /** GET http://127.0.0.1:<port in portKey><path> answers 2xx. */
  | { httpPath: string; portKey: string }
  /** The process logs a line holding this text. */
  | { logLine: string };

/**
 * One kind of process of the system. Adding a process (say a codec server) is one more ServiceSpec in the list
 * given to launch(): its entry file, the settings holding the ports it listens on, and how it says it is ready.
 */
export interface ServiceSpec {
  /** Names its processes in logs: `api`, or `api-1`, `api-2`, … when there are several. */
  name: string;
  /** The TypeScript entry point, relative to the project root (run with tsx, or compiled: see LaunchOptions.runtime). */
  entry: string;
  instances: number;
  /** Settings naming the ports it listens on; every instance gets its own (see planPorts). */
  portKeys: readonly string[];
  ready: Readiness;
  /** Settings for this kind of process only, over everything else. */
  env?: Record<string, string>;
  /** Settings this kind of process starts with as production starts it, unless the environment or --env sets them. */
  defaults?: Readonly<Record<string, string>>;
}

/** The order-saga system: the codec server, the payment simulator, the worker(s) and the API instance(s), in start order. */
export function systemServices(options: {
  workers?: number;
  apiInstances?: number;
  env?: { simulator?: Record<string, string>; worker?: Record<string, string>; api?: Record<string, string> };
  /** Another worker entry point (the bench's worker also runs the ceiling workflow). */
  workerEntry?: string;
}): ServiceSpec[] {
  return [
    {
      name: 'simulator',
      entry: 'src/simulator/main.ts',
      instances: 1,
      portKeys: ['SIMULATOR_PORT'],
      ready: { httpPath: '/healthz', portKey: 'SIMULATOR_PORT' },
      env: options.env?.simulator,
    },
    // Decrypts Temporal payloads for the Web UI (the dev server is started with its address as the UI's codec endpoint).
    { name: 'codec-server', entry: 'src/codec-server/main.ts', instances: 1, portKeys: ['CODEC_PORT'], ready: { httpPath: '/healthz', portKey: 'CODEC_PORT' } },
    {
      name: 'worker',
      entry: options.workerEntry ?? 'src/worker/main.ts',
      instances: options.workers ?? 1,
      portKeys: ['WORKER_METRICS_PORT', 'WORKER_SDK_METRICS_PORT'],
      // Polling, not merely up: its startup time (the `startupMs` of that line) is what the bench reports.
      ready: { logLine: 'worker polling' },
      // Its heap and malloc settings, as docker-compose.yml starts it.
      defaults: WORKER_PROCESS_ENV,
      env: options.env?.worker,
    },
    {
      name: 'api',
      entry: 'src/api/main.ts',
      instances: options.apiInstances ?? 1,
      portKeys: ['PORT'],
      ready: { httpPath: '/readyz', portKey: 'PORT' },
      env: options.env?.api,
    },
  ];
}

export const instanceName = (spec: ServiceSpec, index: number) =>
  spec.instances > 1 ? `${spec.name}-${index + 1}` : spec.name;

/**
 * Every port of every instance, by instance name and setting. With `base` (the settings' ports), instance i of a
 * service adds i × its number of ports to each (API 2 on PORT + 1; worker 2 on WORKER_METRICS_PORT + 2 and
 * WORKER_SDK_METRICS_PORT + 2); a 0 (turned off) stays 0. Without it, every port is a free one the OS picks.
 * `others` are ports already spoken for (Temporal's). A port wanted twice is refused, naming both settings.
 */
export async function planPorts(
  services: ServiceSpec[],
  base?: (key: string) => number,
  others: [port: number, what: string][] = [],
): Promise<Map<string, Record<string, number>>> {
  const owner = new Map<number, string>();
  const claim = (port: number, what: string) => {
    const other = owner.get(port);
    if (port !== 0 && other)
      throw new Error(`port ${port} is wanted by both ${other} and ${what}: change one of these settings`);
    if (port !== 0) owner.set(port, what);
    return port;
  };
  for (const [port, what] of others) claim(port, what);
  const planned = new Map<string, Record<string, number>>();
  for (const spec of services) {
    for (let i = 0; i < spec.instances; i++) {
      const label = instanceName(spec, i);
      const ports: Record<string, number> = {};
      for (const key of spec.portKeys) {
        const first = base ? base(key) : await freePort();
        ports[key] = claim(!base || first === 0 ? first : first + i * spec.portKeys.length, `${label} (${key})`);
      }
      planned.set(label, ports);
    }
  }
  return planned;
}
