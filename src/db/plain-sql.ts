import type { EntityManager } from '@mikro-orm/postgresql';

/** The part of a pooled `pg` client this module uses. */
interface PooledClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of knex's client that hands out the pool's connections. */
interface KnexPoolClient {
  acquireConnection(): Promise<PooledClient>;
  releaseConnection(connection: PooledClient): Promise<unknown>;
}

/**
 * One parameterised statement (`$1`, `$2`… placeholders) on a connection of the ORM's own pool, autocommitted,
 * without knex's query compiler or the ORM's query logging: for the statements every order runs through (admission,
 * the order read, the webhook inbox), where building the query cost more CPU than PostgreSQL spent running it.
 * Values come as the pool's connections parse them: bigint a number (pg-types.ts), timestamps as text (the ORM's
 * setting: `new Date()` them). Errors are pg's own (SQLSTATE `code`), which the error middleware maps like the ORM's. Not for use inside a
 * transaction: the statement would run on another connection, outside it.
 */
export async function plainQuery<T>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  if (em.isInTransaction()) throw new Error('plainQuery runs outside transactions: use the transaction’s own Run');
  const pool = em.getConnection().getKnex().client as unknown as KnexPoolClient;
  const connection = await pool.acquireConnection();
  try {
    return (await connection.query(text, params)).rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}
