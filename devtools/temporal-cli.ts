import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ORDER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** The pinned CLI: the newest release whose go.mod can be `go install`ed (no `replace` directive). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');

/** `--search-attribute` values for the dev server, e.g. `OrderId=Keyword`, from the one shared definition. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', DATETIME: 'Datetime', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };
  return ORDER_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type] ?? key.type}`]);
}

export function onPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

/** A command-line tool the project pins and, when it is nowhere to be found, builds with `go install`. */
export interface GoTool {
  /** Its binary's name, in .tools/ and on PATH. */
  binary: string;
  /** The environment variable that names a binary to use instead. */
  envVar: string;
  /** The pinned `module/path@version` that `go install` builds. */
  module: string;
  /** What it is, for messages: e.g. "the Temporal CLI". */
  label: string;
  /** Other ways to get it, one line each, for the message shown when Go is missing too. */
  otherWays: string[];
  /** Go version its go.mod asks for, for that message. */
  goVersion: string;
}

/**
 * Finds a pinned tool: its env var, then .tools/, then PATH. When there is none it builds the pinned release with
 * `go install` into .tools/ (minutes the first time; Go's cache makes it seconds after). Without Go it stops with
 * instructions.
 */
export function ensureGoTool(tool: GoTool, log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): string {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${tool.envVar} points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const local = path.join(TOOLS_DIR, tool.binary);
  if (existsSync(local)) return local;
  const inPath = onPath(tool.binary);
  if (inPath) return inPath;

  const go = findGo();
  if (!go) {
    throw new Error(
      [
        `No ${tool.label} found (looked at $${tool.envVar}, .tools/${tool.binary} and PATH) and no Go toolchain to build one.`,
        'Get it one of these ways, then run again:',
        ...tool.otherWays.map((way) => `  - ${way}`),
        `  - Go ${tool.goVersion}+: \`GOBIN=$PWD/.tools go install ${tool.module}\``,
      ].join('\n'),
    );
  }
  log(`Building ${tool.label} (${tool.module}) into .tools/ — the first build takes a few minutes…`);
  execFileSync(go, ['install', tool.module], {
    env: { ...process.env, GOBIN: TOOLS_DIR, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!existsSync(local)) throw new Error(`go install finished but ${local} is missing`);
  return local;
}

/** The Temporal CLI (TEMPORAL_CLI, .tools/temporal, PATH, or built). */
export function ensureTemporalCli(log?: (msg: string) => void): string {
  return ensureGoTool(
    {
      binary: 'temporal',
      envVar: 'TEMPORAL_CLI',
      module: TEMPORAL_CLI_MODULE,
      label: 'the Temporal CLI',
      goVersion: '1.23',
      otherWays: [
        'a package manager: `brew install temporal`',
        'a release binary from https://github.com/temporalio/cli/releases, on PATH or at .tools/temporal',
        'or run the whole stack in containers: `docker compose up`',
      ],
    },
    log,
  );
}

/** The Go toolchain, when there is one (PATH, or where the official tarball installs it). */
export function findGo(): string | undefined {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
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
