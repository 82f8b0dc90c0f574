import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { parseEnv } from '../../src/config';
import type { ClusterOptions } from '../temporal-cluster';
import { clusterPortsFor, clusterSettingsSchema, MAX_CLUSTER_PORT, prepareTemporalCluster, visibilityDatabase, waitForCluster } from '../temporal-cluster';
import { freePortInRange } from './ports';
import { ManagedProcess } from './process';
import type { TemporalStarter } from './temporal-server';

/** Every port the server needs, free now, below the OS's ephemeral range (the server stores ports as smallint). */
async function freeClusterPorts() {
  const taken = new Set<number>();
  const pick = async () => {
    const port = await freePortInRange(20_000, MAX_CLUSTER_PORT, taken);
    taken.add(port);
    return port;
  };
  return {
    frontend: await pick(),
    frontendHttp: await pick(),
    frontendMembership: await pick(),
    history: await pick(),
    historyMembership: await pick(),
    matching: await pick(),
    matchingMembership: await pick(),
    worker: await pick(),
    workerMembership: await pick(),
  };
}

/** Drops both databases of a throwaway cluster (a chaos or bench run starts from none). */
async function dropClusterDatabases(databaseUrl: string, database: string): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const pg = new PgClient({ connectionString: url.toString() });
  await pg.connect();
  try {
    for (const name of [database, visibilityDatabase(database)]) await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

/**
 * The `postgres` persistence mode: the Temporal server on the project's PostgreSQL with TEMPORAL_HISTORY_SHARDS
 * shards, and its Web UI (devtools/temporal-cluster.ts). `npm start` keeps its cluster in TEMPORAL_DATABASE (+
 * `_visibility`), kept across runs; a run on a fresh application database (chaos, bench) gets a fresh cluster in
 * `<application database>_temporal`. On free ports (runs beside `npm start`), the server takes its own ports.
 */
export const startPostgresCluster: TemporalStarter = async (options) => {
  const settings = parseEnv(clusterSettingsSchema, process.env);
  if (!options.database) throw new Error('TEMPORAL_PERSISTENCE=postgres needs the database the system runs on');
  const port = Number(options.address.split(':').pop());
  const ports = port + 10 <= MAX_CLUSTER_PORT && port > 300 ? clusterPortsFor(port) : await freeClusterPorts();
  const appDatabase = new URL(options.database.url).pathname.slice(1);
  const database = options.database.fresh ? `${appDatabase.replace(/[^a-z0-9_]/g, '_')}_temporal` : settings.TEMPORAL_DATABASE;
  if (options.database.fresh) await dropClusterDatabases(options.database.url, database);
  const dataDir = path.join(options.stateDir ?? options.workDir, 'temporal-cluster');
  mkdirSync(dataDir, { recursive: true });
  const clusterOptions: ClusterOptions = {
    dataDir,
    databaseUrl: options.database.url,
    database,
    historyShards: settings.TEMPORAL_HISTORY_SHARDS,
    namespace: options.namespace,
    ports,
    uiPort: options.uiPort || undefined,
    codecEndpoint: settings.TEMPORAL_CODEC_ENDPOINT,
  };
  const cluster = prepareTemporalCluster(clusterOptions, options.log);
  const address = cluster.address;
  options.log(`Temporal server on PostgreSQL: databases ${database}, ${visibilityDatabase(database)}; ${settings.TEMPORAL_HISTORY_SHARDS} history shards; frontend ${address}`);

  const ui = cluster.ui ? new ManagedProcess({ name: 'temporal-ui', command: cluster.ui.command, args: cluster.ui.args, env: process.env, output: options.output('temporal-ui') }) : undefined;
  const start = async () => {
    const server = new ManagedProcess({ name: 'temporal', command: cluster.server.command, args: cluster.server.args, env: process.env, output: options.output('temporal') });
    try {
      await Promise.race([
        waitForCluster({ address }, options.namespace),
        server.exited.then((exit) => {
          throw new Error(`the Temporal server exited while starting (${JSON.stringify(exit)}); its log: ${server.output().slice(-2000)}`);
        }),
      ]);
    } catch (err) {
      await server.stop(2000);
      throw err;
    }
    return server;
  };
  let server: ManagedProcess;
  try {
    server = await start();
  } catch (err) {
    await ui?.stop(2000);
    throw err;
  }
  return {
    mode: `postgres (${settings.TEMPORAL_HISTORY_SHARDS} history shards, database ${database})`,
    address,
    namespace: options.namespace,
    database,
    uiUrl: cluster.ui?.url,
    args: [cluster.server.command, ...cluster.server.args],
    pids: () => [server, ui].filter((p) => p?.running).map((p) => p!.pid),
    async restart() {
      await server.kill(); // everything it acknowledged is in PostgreSQL
      server = await start();
    },
    async stop() {
      await ui?.stop(5000);
      await server.stop(15_000);
    },
  };
};
