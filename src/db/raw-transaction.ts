import type { EntityManager } from '@mikro-orm/postgresql';
import { plainStatement } from './plain-sql';

/** Runs one parameterised statement inside the transaction it was handed by `inTransaction`. */
export type Run = <T = unknown[]>(sql: string, params: unknown[]) => Promise<T>;

/**
 * One short transaction of plain SQL statements: locks taken by one statement (`FOR UPDATE`, advisory locks) hold
 * for the next ones, without the unit of work's entity tracking. Committed when `body` resolves, rolled back when it
 * throws.
 */
export async function inTransaction<T>(em: EntityManager, body: (run: Run) => Promise<T>): Promise<T> {
  return em.transactional(async (tx) => {
    const connection = tx.getConnection();
    const trx = tx.getTransactionContext();
    return body(<R = unknown[]>(sql: string, params: unknown[]) => connection.execute(sql, params, 'all', trx) as Promise<R>);
  });
}

/**
 * Runs each statement on its own (autocommit), for code written against `Run` that is called outside a transaction:
 * plain SQL on the ORM's pool (plain-sql.ts), the saga's status writes among them.
 */
export function autocommit(em: EntityManager): Run {
  return <R = unknown[]>(sql: string, params: unknown[]) => plainStatement(em, sql, params) as Promise<R>;
}
