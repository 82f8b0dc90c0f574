import path from 'node:path';
import type { EntitySchema } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import { catalogEntities } from '../catalog/entities';
import type { Config } from '../config';
import { configSchema } from '../config-schema';
import { orderEntities } from '../orders/entities';
import './pg-types';
import { preparePlainStatements } from './plain-sql';

export type Orm = MikroORM;

/**
 * Every entity the ORM knows. Each feature module exports its EntitySchemas and lists them here.
 * The schema itself is owned by the SQL migrations in migrations/, never by schema:update.
 */
export const entities: EntitySchema<any, any>[] = [...catalogEntities, ...orderEntities];

/**
 * Compiled JS (dist/src/db) runs the compiled migrations in dist/migrations; TypeScript (tsx, jest) runs
 * migrations/*.ts. Relative to this file, not the working directory, so the service runs from any directory.
 */
const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** How long an idle connection stays open when the caller does not say: DATABASE_POOL_IDLE_TIMEOUT's default. */
const DEFAULT_POOL_IDLE_TIMEOUT_MS: number = configSchema.shape.DATABASE_POOL_IDLE_TIMEOUT.parse(undefined);

type PoolConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'> &
  Partial<Pick<Config, 'DATABASE_POOL_IDLE_TIMEOUT'>> & {
    /** Who the connections say they are (PostgreSQL's application_name) unless DATABASE_URL names someone else. */
    applicationName?: string;
  };

/** The application_name of a pool whose caller names none. */
const DEFAULT_APPLICATION_NAME = 'order-saga';

/** ORM options for a given service configuration; used by the API, the worker, scripts and tests. */
export function ormOptions(config: PoolConfig) {
  return defineConfig({
    clientUrl: config.DATABASE_URL,
    entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    // No connection is held while the process is idle (min 0), but one stays open through a lull of up to
    // DATABASE_POOL_IDLE_TIMEOUT: the pool's own default (30 s) reopened them at every burst.
    pool: { min: 0, max: config.DATABASE_POOL_MAX, idleTimeoutMillis: config.DATABASE_POOL_IDLE_TIMEOUT ?? DEFAULT_POOL_IDLE_TIMEOUT_MS },
    // MikroORM reads only the host, port, user, password, database and schema out of clientUrl and drops the rest, so
    // a DATABASE_URL's sslmode (and any other parameter) never reached these connections: `?sslmode=verify-full`
    // connected in plain text. The whole URL goes to the pg driver too, which reads it as the LISTEN connections and
    // the database creation read it; its parameters override the ones above, the URL's application_name included.
    driverOptions: {
      connection: { application_name: config.applicationName ?? DEFAULT_APPLICATION_NAME, connectionString: config.DATABASE_URL },
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      // Migrations are hand-written SQL; no schema snapshots (the migrator would write one per database).
      snapshot: false,
    },
    // The identity map is per request/activity (em.fork()), never global.
    allowGlobalContext: false,
    debug: false,
  });
}

export function initOrm(config: PoolConfig & Partial<Pick<Config, 'DATABASE_PREPARED_STATEMENTS'>>): Promise<Orm> {
  preparePlainStatements(config.DATABASE_PREPARED_STATEMENTS !== 'off');
  return MikroORM.init(ormOptions(config));
}
