/**
 * A stand-in EntityManager for unit tests of code that runs SQL: every statement goes to `execute`, whichever way the
 * code sends it (plain SQL on a pooled connection, src/db/plain-sql.ts, or the ORM's execute), and the answer is what
 * `execute` returns. Forks are the same object.
 */
export function fakeEntityManager(execute: (sql: string, params: unknown[]) => Promise<unknown[]>) {
  const connection = { query: async ({ text, values }: { text: string; values: unknown[] }) => ({ rows: await execute(text, values) }) };
  const knex = { client: { acquireConnection: async () => connection, releaseConnection: async () => undefined } };
  const em = {
    fork: () => em,
    execute,
    isInTransaction: () => false,
    getConnection: () => ({ execute, getKnex: () => knex }),
    getDriver: () => ({ convertException: (err: Error) => err }),
  };
  return em;
}
