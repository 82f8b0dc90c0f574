import type { Client } from '@temporalio/client';
import { Connection, Client as TemporalClient } from '@temporalio/client';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { ormOptions } from '../../src/db/orm';
import { createTemporalClient } from '../../src/temporal/client';
import { testConfig, testLogger, testOrm } from './env';
import type { Answer, RequestOptions } from './http';
import { inProcess, serve } from './http';

export interface RunningApi {
  url: string;
  config: Config;
  orm: Orm;
  temporal: Client;
  close(): Promise<void>;
}

/**
 * Just the API (no worker), on a random loopback port, over the test database and the harness's Temporal server.
 * Pass `orm` or `temporal` to put a different one behind it (e.g. one that does not answer); the caller keeps
 * ownership of what it passed, and close() closes only what this function opened.
 */
export async function startApi(options: { config?: Config; orm?: Orm; temporal?: Client } = {}): Promise<RunningApi> {
  const config = options.config ?? testConfig();
  const orm = options.orm ?? (await testOrm(config));
  const temporal = options.temporal ?? createTemporalClient(config);
  const server = await serve(createApp({ config, orm, temporal, logger: testLogger() }));
  return {
    url: server.url,
    config,
    orm,
    temporal,
    async close() {
      await server.close();
      if (!options.temporal) await temporal.connection.close();
      if (!options.orm) await orm.close();
    },
  };
}

/**
 * The API called in-process (no port), over the test database and the harness's Temporal server: `request(path)`
 * answers like the HTTP one. close() closes what it opened.
 */
export async function inProcessApi(options: { config?: Config } = {}): Promise<{
  request: (path: string, init?: RequestOptions) => Promise<Answer>;
  config: Config;
  orm: Orm;
  close(): Promise<void>;
}> {
  const config = options.config ?? testConfig();
  const orm = await testOrm(config);
  const temporal = createTemporalClient(config);
  return {
    request: inProcess(createApp({ config, orm, temporal, logger: testLogger() })),
    config,
    orm,
    async close() {
      await temporal.connection.close();
      await orm.close();
    },
  };
}

/** A Temporal client for a port where nothing listens (no retry interceptor, so nothing outlives the test). */
export function unreachableTemporal(): Client {
  return new TemporalClient({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
}

/** An ORM for a port where no PostgreSQL listens; created without connecting, so every query fails. */
export function unreachablePostgres(): Promise<Orm> {
  return MikroORM.init({ ...ormOptions({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', DATABASE_POOL_MAX: 1 }), connect: false });
}
