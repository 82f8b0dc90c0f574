import type { Client } from '@temporalio/client';
import { Connection, Client as TemporalClient } from '@temporalio/client';
import { MikroORM } from '@mikro-orm/postgresql';
import type { ApiDeps } from '../../src/api/app';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { ormOptions } from '../../src/db/orm';
import { createTemporalClient } from '../../src/temporal/client';
import { testConfig, testLogger, testOrm } from './env';
import type { AppRequest } from './http';
import { inProcess } from './http';
import { requireSystemTest } from './test-kind';

export interface InProcessApi {
  /** Answers like the HTTP `request`; paths are relative to the API's root. */
  request: AppRequest;
  config: Config;
  orm: Orm;
  temporal: Client;
  close(): Promise<void>;
}

/**
 * The API called in-process (no port of its own), over the test database and the harness's Temporal server. Pass
 * `orm` or `temporal` to put a different one behind it (e.g. one that does not answer), `logger` or `metrics` to
 * watch what it records; the caller keeps ownership of what it passed, and close() closes only what this opened.
 */
export async function inProcessApi(
  options: Partial<Pick<ApiDeps, 'config' | 'orm' | 'temporal' | 'logger' | 'metrics'>> = {},
): Promise<InProcessApi> {
  requireSystemTest('inProcessApi()');
  const config = options.config ?? testConfig();
  const orm = options.orm ?? (await testOrm(config));
  const temporal = options.temporal ?? createTemporalClient(config);
  return {
    request: inProcess(createApp({ config, orm, temporal, logger: options.logger ?? testLogger(), metrics: options.metrics })),
    config,
    orm,
    temporal,
    async close() {
      if (!options.temporal) await temporal.connection.close();
      if (!options.orm) await orm.close();
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
