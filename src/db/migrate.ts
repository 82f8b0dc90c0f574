import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Orm } from './orm';
import { ormOptions } from './orm';

/** The database named in a URL, checked to be a plain identifier before it is spliced into DDL. */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL: unsupported database name "${name}"`);
  return name;
}

/** Runs `work` on a connection to the server's `postgres` database (where databases are created and dropped). */
export async function withServerConnection<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the database named in the URL when it is missing. Safe to run concurrently: a racing creator's
 * "already exists" error is ignored.
 */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const name = databaseName(databaseUrl);
  return withServerConnection(databaseUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false };
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      if ((err as { code?: string }).code === '42P04') return { created: false }; // duplicate_database
      throw err;
    }
    return { created: true };
  });
}

/** Applies pending migrations from migrations/; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/**
 * Creates the database when missing and applies pending migrations: `npm run migrate`, the compose `migrate`
 * service and the launcher all go through here. The migrator's own progress lines are silenced; what was done is
 * returned.
 */
export async function migrateDatabase(databaseUrl: string): Promise<{ created: boolean; applied: string[] }> {
  const { created } = await ensureDatabase(databaseUrl);
  const orm = await MikroORM.init({ ...ormOptions({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2, applicationName: 'order-saga-migrate' }), logger: () => undefined });
  try {
    return { created, applied: await migrate(orm) };
  } finally {
    await orm.close();
  }
}
