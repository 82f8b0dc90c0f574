import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from './src/config';
import { loadConfig } from './src/config';
import { entities } from './src/db/entities';

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
      path: __dirname.endsWith('dist') ? './dist/migrations' : './migrations',
      pathTs: './migrations',
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

export default ormOptions(loadConfig());
