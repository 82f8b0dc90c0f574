import type { EntitySchema } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import { catalogEntities } from '../catalog/entities';
import type { Config } from '../config';
import { orderEntities } from '../orders/entities';

export type Orm = MikroORM;

/**
 * Every entity the ORM knows. Each feature module exports its EntitySchemas and lists them here.
 * The schema itself is owned by the SQL migrations in migrations/, never by schema:update.
 */
export const entities: EntitySchema<any, any>[] = [...catalogEntities, ...orderEntities];

/** Compiled JS (dist/) runs the compiled migrations; TypeScript (tsx, jest) runs migrations/*.ts. */
const COMPILED = __filename.endsWith('.js');

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
      path: COMPILED ? './dist/migrations' : './migrations',
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

export function initOrm(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>): Promise<Orm> {
  return MikroORM.init(ormOptions(config));
}
