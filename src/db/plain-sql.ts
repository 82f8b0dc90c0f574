import type { EntityManager } from '@mikro-orm/postgresql';

/** The part of a pooled `pg` client this module uses. */
interface PooledClient {
  query(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
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
    return (await runOn(connection, text, params)).rows as T[];
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    await pool.releaseConnection(connection);
  }
}

const plainEms = new WeakMap<object, EntityManager>();

/**
 * The EntityManager for plain statements (plainQuery, plainStatement, autocommit): one fork per ORM, shared by every
 * caller, instead of a fork per call. Those statements use an EntityManager only for its pool and its exception
 * mapping, never for entities, so nothing collects in the fork; forking per statement was ~4 % of the API's CPU.
 * Not for code that loads entities or opens transactions: that forks its own, as before.
 */
export function plainSqlEm(orm: { em: EntityManager }): EntityManager {
  let em = plainEms.get(orm);
  if (em === undefined) {
    em = orm.em.fork();
    plainEms.set(orm, em);
  }
  return em;
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

/**
 * Each statement text gets a name once per process, so every connection of the pool parses and analyses it once
 * and then only binds and runs it (a named prepared statement, which `pg` prepares on first use per connection):
 * the saga's statements are long CTEs whose parsing and planning cost PostgreSQL about as much as running them.
 * Names are never reused for another text (a connection would run the old one); past MAX_NAMED texts, statements go
 * unnamed. DATABASE_PREPARED_STATEMENTS=off sends every statement unnamed (initOrm applies it to the process), for a
 * pooler that cannot keep prepared statements and for comparing the two (bench/saga-statements.ts).
 */
const MAX_NAMED = 256;
const names = new Map<string, string>();
let prepare = true;

/**
 * The statements a connection holds prepared with a result shape the schema no longer has: a migration changed the
 * columns a prepared `SELECT *` or function answers, and PostgreSQL refuses to run it again ("cached plan must not
 * change result type") for as long as the connection lives. On that connection the statement goes unnamed from then
 * on (parsed afresh each time, as before named statements), so processes that outlive a migration keep answering.
 */
const outdated = new WeakMap<PooledClient, Set<string>>();

async function runOn(connection: PooledClient, text: string, values: unknown[]) {
  const name = statementName(text);
  if (name === undefined || outdated.get(connection)?.has(name)) return connection.query({ text, values });
  try {
    return await connection.query({ name, text, values });
  } catch (err) {
    if (!isOutdatedPlan(err)) throw err;
    outdated.set(connection, (outdated.get(connection) ?? new Set()).add(name));
    return connection.query({ text, values });
  }
}

function isOutdatedPlan(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return code === '0A000' && /cached plan must not change result type/.test(message ?? '');
}

/** Whether plain statements go as named prepared statements in this process (DATABASE_PREPARED_STATEMENTS). */
export function preparePlainStatements(on: boolean): void {
  prepare = on;
}

function statementName(text: string): string | undefined {
  if (!prepare) return undefined;
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `plain_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}
