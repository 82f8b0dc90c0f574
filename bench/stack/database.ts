import { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase, recreateDatabase } from '../../src/db/ensure-database';
import { migrate } from '../../src/db/migrate';
import { ormOptions } from '../../src/db/orm-options';

/**
 * Creates (or drops and recreates) a database of its own for a benchmark, chaos run or test, and migrates it.
 * Quietly: the migrator's progress lines would land in the middle of a test's or benchmark's output.
 */
export async function prepareDatabase(databaseUrl: string, options: { recreate: boolean }): Promise<void> {
  if (options.recreate) await recreateDatabase(databaseUrl);
  else await ensureDatabase(databaseUrl);
  const orm = await MikroORM.init({ ...ormOptions({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 }), logger: () => undefined });
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
}
