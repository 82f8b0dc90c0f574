import { databaseName, migrateDatabase, withServerConnection } from '../../src/db/migrate';

/** Drops and recreates a database: every test, bench and chaos run starts from the migrations on a clean ledger. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withServerConnection(databaseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
}

/** The one "create the database and migrate" of every way the system is started (recreated first on request). */
export async function prepareDatabase(
  databaseUrl: string,
  options: { recreate?: boolean } = {},
): Promise<{ created: boolean; applied: string[] }> {
  if (options.recreate) await recreateDatabase(databaseUrl);
  const result = await migrateDatabase(databaseUrl);
  return { ...result, created: result.created || Boolean(options.recreate) };
}
