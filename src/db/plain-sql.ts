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
 * the order read, the webhook inbox, the saga's status writes), where building the query cost more CPU than
 * PostgreSQL spent running it. Values come as the pool's connections parse them: bigint a number (pg-types.ts),
 * timestamps as text (the ORM's setting: `new Date()` them). A failure is the ORM's DriverException (SQLSTATE in
 * `code`), as from any other query, so the activities and the error middleware classify it alike. Not for use
 * inside a transaction: the statement would run on another connection, outside it.
 */
export async function plainQuery<T>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  if (em.isInTransaction()) throw new Error('plainQuery runs outside transactions: use the transaction’s own Run');
  const pool = em.getConnection().getKnex().client as unknown as KnexPoolClient;
  const connection = await pool.acquireConnection().catch((err: Error) => {
    throw em.getDriver().convertException(err);
  });
  try {
    return (await connection.query(text, params)).rows as T[];
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * A statement written with knex's `?` placeholders: outside a transaction, plainQuery with them numbered; inside one,
 * through the ORM in that transaction, as before. Every `?` is a placeholder, as knex has it (the SQL here uses no
 * jsonb `?` operators).
 */
export function plainStatement<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  if (em.isInTransaction()) return em.execute<T[]>(sql, params);
  return plainQuery<T>(em, numbered(sql), params);
}

/** The numbered form of each statement, computed once: the statements are a small fixed set of constants. */
const numberedCache = new Map<string, string>();

function numbered(sql: string): string {
  let text = numberedCache.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numberedCache.size >= 512) numberedCache.clear();
    numberedCache.set(sql, text);
  }
  return text;
}
