import { ORDER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ensureGoTool } from './go-tools';

/** The pinned CLI: the newest release whose go.mod can be `go install`ed (no `replace` directive). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** `--search-attribute` values for the dev server, e.g. `OrderId=Keyword`, from the one shared definition. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', DATETIME: 'Datetime', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };
  return ORDER_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type] ?? key.type}`]);
}

/** The Temporal CLI (TEMPORAL_CLI, .tools/temporal, PATH, or built). */
export function ensureTemporalCli(log?: (msg: string) => void): string {
  return ensureGoTool(
    {
      label: 'the Temporal CLI',
      pkg: 'github.com/temporalio/cli/cmd/temporal',
      version: TEMPORAL_CLI_VERSION,
      binary: 'temporal',
      envVar: 'TEMPORAL_CLI',
      pathName: 'temporal',
      goVersion: '1.23',
      otherWays: [
        'a package manager: `brew install temporal`',
        'a release binary from https://github.com/temporalio/cli/releases, on PATH or at .tools/temporal',
        'or run the whole stack in containers: `docker compose up`',
      ],
    },
    { log },
  );
}

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  namespace: string;
  /** SQLite file; omitted → in memory. */
  dbFilename?: string;
  /** `--dynamic-config-value` KEY=VALUE pairs; default DEV_SERVER_DYNAMIC_CONFIG. */
  dynamicConfig?: readonly string[];
  /** The codec server the Web UI sends payloads to for decoding (e.g. http://127.0.0.1:8888/codec). */
  uiCodecEndpoint?: string;
}

/**
 * Measured with `npm run bench` (bench/results/tuning.md). The dev server has one history shard, whose transfer
 * queue is read at most 20 times a second by default: every task dispatch then waits up to 50 ms (a 5-step saga
 * took 250 ms to place instead of ~60). Eager activity dispatch hands an activity to the worker in the answer to
 * the workflow task that scheduled it, skipping the matching round trip (−20 % CPU per saga at 64 in flight).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = ['history.transferProcessorMaxPollRPS=1000', 'system.enableActivityEagerExecution=true'];

/**
 * Arguments for `temporal server start-dev`. SQLite is one connection; WAL lets readers proceed beside the writer.
 * synchronous=NORMAL: a power loss can lose the last few committed transactions, never corrupt the file —
 * acceptable for a development server (production runs Temporal on PostgreSQL, see docker-compose.yml).
 */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) {
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  args.push(...searchAttributeFlags());
  for (const value of options.dynamicConfig ?? DEV_SERVER_DYNAMIC_CONFIG) args.push('--dynamic-config-value', value);
  args.push('--log-level', 'error');
  return args;
}
