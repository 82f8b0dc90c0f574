import path from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { entities } from './entities';

/**
 * Compiled JS (dist/src/db) runs the compiled migrations in dist/migrations; TypeScript (tsx, jest) runs
 * migrations/*.ts. Relative to this file, not the working directory, so the service runs from any directory.
 */
const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** ORM options for a given service configuration; used by the API, the worker, scripts and tests. */
export function ormOptions(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>) {
  return defineConfig({
    clientUrl: config.DATABASE_URL,
    entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
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

