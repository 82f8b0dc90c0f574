import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { Config } from '../src/config';
import type { TemporalConnectionOptions } from '../src/temporal/connection';
import { ORDER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { answers, waitUntil } from './launcher/ports';
import type { GoTool } from './go-tools';
import { ensureGoTool } from './go-tools';

/**
 * The Temporal server on PostgreSQL, as production runs it, for `TEMPORAL_PERSISTENCE=postgres`: the pinned server,
 * its SQL schema tool and the Web UI server, built with Go into .tools/ like the CLI; schemas set up and upgraded
 * with the tool; a loopback-only config written under .data/; the namespace and search attributes registered.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** The Web UI server the pinned CLI embeds (its go.mod), so the UI is the one engineers know from the dev server. */
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';

/**
 * Found in .tools/ only, under names that carry the version (so a new pin rebuilds): Go installs each as `server` or
 * `sql`, names that say nothing on PATH.
 */
export const CLUSTER_TOOLS = {
  server: {
    label: 'the Temporal server',
    pkg: 'go.temporal.io/server/cmd/server',
    version: TEMPORAL_SERVER_VERSION,
    binary: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
    goVersion: '1.23',
  },
  sqlTool: {
    label: "the Temporal server's SQL schema tool",
    pkg: 'go.temporal.io/server/cmd/tools/sql',
    version: TEMPORAL_SERVER_VERSION,
    binary: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
    goVersion: '1.23',
  },
  uiServer: {
    label: 'the Temporal Web UI server',
    pkg: 'github.com/temporalio/ui-server/v2/cmd/server',
    version: TEMPORAL_UI_SERVER_VERSION,
    binary: `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`,
    goVersion: '1.23',
  },
} satisfies Record<string, GoTool>;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Settings of the local Temporal server on PostgreSQL (TEMPORAL_PERSISTENCE=postgres): launcher settings, which the
 * services never read (see devtools/launcher/settings.ts).
 */
export const clusterSettingsSchema = z.object({
  /** History shards; fixed when the database is set up, so another count needs another TEMPORAL_DATABASE. */
  TEMPORAL_HISTORY_SHARDS: positiveInt(4).pipe(z.number().max(16384)),
  /** History database of `npm start`'s cluster; visibility goes to `<name>_visibility`. Same server as DATABASE_URL. */
  TEMPORAL_DATABASE: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _ only').default('temporal'),
  /** A codec server the Web UI asks to decode payloads (e.g. encrypted ones); unset: payloads shown as stored. */
  TEMPORAL_CODEC_ENDPOINT: z.url().optional(),
});
export type ClusterSettings = z.infer<typeof clusterSettingsSchema>;

type Log = (msg: string) => void;
const stderrLog: Log = (m) => process.stderr.write(m + '\n');

/** Every port the server listens on; all on 127.0.0.1. */
export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** The Temporal server keeps its ports in PostgreSQL smallint columns (cluster membership). */
export const MAX_CLUSTER_PORT = 32767;

/**
 * Temporal's standard port layout (7233 frontend, 7234 history, 7235 matching, 7239 worker, 6933… membership,
 * 7243 HTTP) moved with the frontend port, so two clusters on different TEMPORAL_ADDRESS ports never clash.
 */
export function clusterPortsFor(frontend: number): ClusterPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
  };
}

/** TLS on the frontend: the server's certificate, and for mTLS the CA whose client certificates it accepts. */
export interface ClusterTls {
  serverCertFile: string;
  serverKeyFile: string;
  /** CA of the server certificate (for clients) and of client certificates (for the server). */
  caFile: string;
  /** A client certificate for the server's own system worker, which connects to the frontend like any client. */
  clientCertFile: string;
  clientKeyFile: string;
  /** Name in the server certificate. */
  serverName: string;
  requireClientAuth: boolean;
}

export interface ClusterOptions {
  /** Where the config files go (e.g. .data/temporal-cluster). */
  dataDir: string;
  /** The PostgreSQL server to use (host, port, user, password; the database in the URL is ignored). */
  databaseUrl: string;
  /** The history database; visibility goes to `<database>_visibility`. */
  database: string;
  /** Fixed when the database is created: the server refuses to start on a database set up with another count. */
  historyShards: number;
  namespace: string;
  ports: ClusterPorts;
  /** The Web UI's port; omitted → no UI. */
  uiPort?: number;
  /** A codec server the Web UI asks to decode payloads (e.g. encrypted ones). */
  codecEndpoint?: string;
  tls?: ClusterTls;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface PreparedCluster {
  server: { command: string; args: string[] };
  ui?: { command: string; args: string[]; url: string };
  address: string;
}

interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

function pgTarget(databaseUrl: string): PgTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

export function visibilityDatabase(database: string): string {
  return `${database}_visibility`;
}

/**
 * Creates both databases when missing and brings their schemas to the version this server needs, with Temporal's
 * own tool and the schemas built into it (postgresql/v12). Re-runnable: it creates nothing that exists and applies
 * only the versions not applied yet, so it runs before every start.
 */
export function setupClusterSchemas(sqlTool: string, options: Pick<ClusterOptions, 'databaseUrl' | 'database'>, log: Log = stderrLog): void {
  const pg = pgTarget(options.databaseUrl);
  for (const [database, schema] of [
    [options.database, 'postgresql/v12/temporal'],
    [visibilityDatabase(options.database), 'postgresql/v12/visibility'],
  ]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsupported Temporal database name "${database}" (lower-case letters, digits, _)`);
    // Connection settings through the tool's environment variables, so the password never shows in `ps`.
    const env = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: pg.host,
      SQL_PORT: String(pg.port),
      SQL_USER: pg.user,
      SQL_PASSWORD: pg.password,
      SQL_DATABASE: database,
    };
    const run = (...args: string[]) => execFileSync(sqlTool, ['--quiet', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    try {
      run('create-database');
      run('setup-schema', '-v', '0.0'); // version tables only; skipped when the schema is already past 0.0
      run('update-schema', '--schema-name', schema);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`setting up the Temporal database ${database} failed: ${stderr.trim() || (err as Error).message}`);
    }
    log(`Temporal database ${database}: schema up to date`);
  }
}

function sqlStore(pg: PgTarget, database: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/**
 * The server's config: the module's config/development-postgres12.yaml, with every service bound to loopback on
 * `ports`, archival off, no pprof or metrics listeners, and TLS on the frontend when asked. Written as JSON, which
 * is YAML too.
 */
export function serverConfig(options: ClusterOptions, dynamicConfigFile: string): object {
  const pg = pgTarget(options.databaseUrl);
  const { ports } = options;
  for (const [name, port] of Object.entries(ports)) {
    // Cluster membership stores ports in a PostgreSQL smallint: a larger one makes the server exit at start-up.
    if (!Number.isInteger(port) || port < 1 || port > MAX_CLUSTER_PORT) throw new Error(`Temporal server ${name} port ${port} is outside 1..${MAX_CLUSTER_PORT}`);
  }
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  const tls = options.tls;
  return {
    log: { stdout: true, level: options.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.historyShards,
      datastores: {
        'postgres-default': sqlStore(pg, options.database, 20),
        'postgres-visibility': sqlStore(pg, visibilityDatabase(options.database), 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(tls
        ? {
            tls: {
              frontend: {
                server: { certFile: tls.serverCertFile, keyFile: tls.serverKeyFile, clientCaFiles: [tls.caFile], requireClientAuth: tls.requireClientAuth },
                client: { serverName: tls.serverName, rootCaFiles: [tls.caFile] },
              },
              systemWorker: {
                certFile: tls.clientCertFile,
                keyFile: tls.clientKeyFile,
                client: { serverName: tls.serverName, rootCaFiles: [tls.caFile] },
              },
            },
          }
        : {}),
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic config, in the file format (a list of constraint/value pairs per key). Eager activity dispatch as on the
 * development server (see DEV_SERVER_DYNAMIC_CONFIG), and namespaces registered here usable within a second.
 */
export const CLUSTER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.enableActivityEagerExecution': true,
  'system.namespaceCacheRefreshInterval': '1s',
};

function uiConfig(options: ClusterOptions, uiPort: number): object {
  const tls = options.tls;
  return {
    host: '127.0.0.1',
    port: uiPort,
    temporalGrpcAddress: `127.0.0.1:${options.ports.frontend}`,
    enableUi: true,
    publicPath: '',
    defaultNamespace: options.namespace,
    hideLogs: true,
    cors: { cookieInsecure: true, allowOrigins: [] },
    codec: { endpoint: options.codecEndpoint ?? '' },
    ...(tls
      ? { tls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile, serverName: tls.serverName, enableHostVerification: true } }
      : {}),
  };
}

function writePrivate(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600); // the file may have existed with other permissions; it holds the database password
}

/**
 * Builds the tools when missing, sets up the schemas and writes the configs; returns the commands that run the
 * server and the Web UI (the caller supervises them), which then need `waitForCluster`.
 */
export function prepareTemporalCluster(options: ClusterOptions, log: Log = stderrLog): PreparedCluster {
  const server = ensureGoTool(CLUSTER_TOOLS.server, { log });
  const sqlTool = ensureGoTool(CLUSTER_TOOLS.sqlTool, { log });
  const uiServer = options.uiPort ? ensureGoTool(CLUSTER_TOOLS.uiServer, { log }) : undefined;
  setupClusterSchemas(sqlTool, options, log);

  const configDir = path.join(options.dataDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamic-config.yaml');
  writeFileSync(
    dynamicConfigFile,
    JSON.stringify(Object.fromEntries(Object.entries(CLUSTER_DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value }]])), null, 2),
  );
  writePrivate(path.join(configDir, 'cluster.yaml'), JSON.stringify(serverConfig(options, dynamicConfigFile), null, 2));
  const prepared: PreparedCluster = {
    server: { command: server, args: ['--root', options.dataDir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'] },
    address: `127.0.0.1:${options.ports.frontend}`,
  };
  if (uiServer && options.uiPort) {
    const uiDir = path.join(options.dataDir, 'ui-config');
    mkdirSync(uiDir, { recursive: true });
    writeFileSync(path.join(uiDir, 'cluster.yaml'), JSON.stringify(uiConfig(options, options.uiPort), null, 2));
    prepared.ui = { command: uiServer, args: ['--root', options.dataDir, '--config', 'ui-config', '--env', 'cluster', 'start'], url: `http://127.0.0.1:${options.uiPort}` };
  }
  return prepared;
}

/** gRPC ALREADY_EXISTS: what registering a namespace or search attribute that exists answers. */
const ALREADY_EXISTS = 6;
const alreadyExists = (err: unknown) => (err as { code?: number }).code === ALREADY_EXISTS;

/**
 * Waits for the frontend, then registers the namespace (3-day retention) and the saga's search attributes when
 * missing, and waits until the namespace serves requests. Re-runnable on a cluster that has them all.
 */
export async function waitForCluster(connection: TemporalConnectionOptions, namespace: string, timeoutMs = 120_000): Promise<void> {
  const [host, port] = [connection.address.slice(0, connection.address.lastIndexOf(':')), Number(connection.address.split(':').pop())];
  await waitUntil(`the Temporal server at ${connection.address}`, () => answers(host, port), timeoutMs, 250);
  const client = await Connection.connect({ ...connection, connectTimeout: '10s' });
  try {
    await waitUntil(
      'the Temporal frontend',
      async () => {
        try {
          await client.workflowService.getSystemInfo({});
          return true;
        } catch {
          return false;
        }
      },
      timeoutMs,
      250,
    );
    try {
      await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    } catch (err) {
      if (!alreadyExists(err)) throw err;
    }
    const { customAttributes } = await client.operatorService.listSearchAttributes({ namespace });
    const missing = ORDER_SEARCH_ATTRIBUTES.filter((key) => !(customAttributes && key.name in customAttributes));
    if (missing.length) {
      try {
        await client.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
        });
      } catch (err) {
        if (!alreadyExists(err)) throw err;
      }
    }
    // Registration reaches every service through their namespace caches: usable once a visibility query answers.
    await waitUntil(
      `the ${namespace} namespace`,
      async () => {
        try {
          await client.workflowService.countWorkflowExecutions({ namespace, query: `OrderStatus = "READY_CHECK"` });
          return true;
        } catch {
          return false;
        }
      },
      timeoutMs,
      250,
    );
  } finally {
    await client.close();
  }
}

/** Where `npm start` keeps the cluster's config files. */
export function defaultClusterDataDir(root: string): string {
  return path.join(root, '.data', 'temporal-cluster');
}

/** The local cluster's options from the settings: frontend on TEMPORAL_ADDRESS's port, UI on TEMPORAL_UI_PORT. */
export function clusterOptionsFromConfig(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_PORT' | 'DATABASE_URL'> & ClusterSettings,
  dataDir: string,
): ClusterOptions {
  const port = Number(config.TEMPORAL_ADDRESS.split(':').pop());
  if (!Number.isInteger(port) || port <= 300 || port + 10 > MAX_CLUSTER_PORT) {
    throw new Error(`TEMPORAL_ADDRESS: the local Temporal server needs a port between 301 and ${MAX_CLUSTER_PORT - 10}, got ${config.TEMPORAL_ADDRESS}`);
  }
  return {
    dataDir,
    databaseUrl: config.DATABASE_URL,
    database: config.TEMPORAL_DATABASE,
    historyShards: config.TEMPORAL_HISTORY_SHARDS,
    namespace: config.TEMPORAL_NAMESPACE,
    ports: clusterPortsFor(port),
    uiPort: config.TEMPORAL_UI_PORT || undefined,
    codecEndpoint: config.TEMPORAL_CODEC_ENDPOINT,
  };
}
