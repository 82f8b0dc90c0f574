import type { Orm } from '../../src/db/orm';
import { initOrm } from '../../src/db/orm';
import { DriverException } from '@mikro-orm/core';
import { plainQuery, plainStatement, preparePlainStatements } from '../../src/db/plain-sql';
import { testConfig, testOrm } from '../harness/env';

/**
 * The hot path's plain SQL on the ORM's own pool: `$n` parameters, pg's own types and errors (the error middleware
 * maps SQLSTATE codes), every connection handed back, and never silently outside a transaction it was called in.
 */
describe('plainQuery', () => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await testOrm();
  });
  afterAll(async () => {
    await orm.close();
  });

  it("binds $n parameters and answers rows as the pool's connections parse them (bigint a number, timestamps text)", async () => {
    const rows = await plainQuery<{ n: number; s: string; t: string }>(
      orm.em.fork(),
      `SELECT $1::bigint AS n, $2::text AS s, now() AS t`,
      [9007199254740991, 'x'],
    );
    expect(rows).toEqual([{ n: 9007199254740991, s: 'x', t: expect.any(String) }]);
    expect(Number.isNaN(new Date(rows[0].t).getTime())).toBe(false);
  });

  it("rejects with pg's SQLSTATE and hands its connection back", async () => {
    const failing = Array.from({ length: 40 }, () => plainQuery(orm.em.fork(), `SELECT 1 / $1::int`, [0]));
    for (const result of await Promise.allSettled(failing)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { code: '22012' } }); // division_by_zero
      // The ORM's exception, as from any other query: the activities classify database failures by it.
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DriverException);
    }
    // More statements than the pool has connections: had a failure kept its connection, these would wait forever.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => plainQuery<{ i: number }>(orm.em.fork(), `SELECT $1::int AS i`, [i])),
    );
    expect(answers.map(([row]) => row.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("numbers knex's ? placeholders outside a transaction, and runs inside one through the ORM", async () => {
    expect(await plainStatement<{ a: number; b: string }>(orm.em.fork(), `SELECT ?::int AS a, ?::text AS b`, [7, 'y'])).toEqual([{ a: 7, b: 'y' }]);
    // Inside a transaction the statement sees the transaction's own uncommitted work.
    const seen = await orm.em.fork().transactional(async (tx) => {
      await tx.execute(`CREATE TEMP TABLE plain_statement_probe (v int) ON COMMIT DROP`);
      await tx.execute(`INSERT INTO plain_statement_probe VALUES (42)`);
      return plainStatement<{ v: number }>(tx, `SELECT v FROM plain_statement_probe WHERE v = ?`, [42]);
    });
    expect(seen).toEqual([{ v: 42 }]);
  });

  it('refuses to run inside a transaction, where it would run on another connection', async () => {
    await expect(orm.em.fork().transactional((tx) => plainQuery(tx, 'SELECT 1', []))).rejects.toThrow(
      /outside transactions/,
    );
  });

  /** The statements of this process's texts that the (single) connection of `one` has prepared. */
  const preparedOn = async (one: Orm, texts: string[]) => {
    const rows = await plainQuery<{ name: string; statement: string }>(one.em.fork(), `SELECT name, statement FROM pg_prepared_statements`, []);
    return rows.filter((r) => texts.includes(r.statement));
  };

  it('sends each statement text as one named prepared statement per connection, with the right answers every time', async () => {
    const one = await initOrm({ ...testConfig(), DATABASE_POOL_MAX: 1 });
    try {
      const text = `SELECT $1::int * 2 AS doubled /* prepared-probe */`;
      const other = `SELECT $1::text || '!' AS shout /* prepared-probe */`;
      for (let i = 0; i < 8; i++) {
        expect(await plainQuery(one.em.fork(), text, [i])).toEqual([{ doubled: 2 * i }]);
        expect(await plainQuery(one.em.fork(), other, [`n${i}`])).toEqual([{ shout: `n${i}!` }]);
      }
      const prepared = await preparedOn(one, [text, other]);
      // One statement per text (prepared once, then only bound and run), each under a name of its own.
      expect(prepared.map((p) => p.statement).sort()).toEqual([text, other].sort());
      expect(new Set(prepared.map((p) => p.name)).size).toBe(2);
    } finally {
      await one.close();
    }
  });

  it('answers with the new columns after a migration changed what a prepared statement returns', async () => {
    const one = await initOrm({ ...testConfig(), DATABASE_POOL_MAX: 1 });
    try {
      const run = (sql: string) => plainQuery<Record<string, number>>(one.em.fork(), sql, []);
      const read = `SELECT * FROM outdated_plan_probe /* outdated-plan-probe */`;
      await run(`CREATE TEMP TABLE outdated_plan_probe (a int)`);
      await run(`INSERT INTO outdated_plan_probe VALUES (1)`);
      expect(await run(read)).toEqual([{ a: 1 }]);
      expect(await preparedOn(one, [read])).toHaveLength(1);
      // PostgreSQL refuses to run the prepared statement again: its result has another shape now.
      await run(`ALTER TABLE outdated_plan_probe ADD COLUMN b int DEFAULT 2`);
      expect(await run(read)).toEqual([{ a: 1, b: 2 }]);
      expect(await run(read)).toEqual([{ a: 1, b: 2 }]);
    } finally {
      await one.close();
    }
  });

  it('sends them unnamed with DATABASE_PREPARED_STATEMENTS=off', async () => {
    const one = await initOrm({ ...testConfig(), DATABASE_POOL_MAX: 1, DATABASE_PREPARED_STATEMENTS: 'off' });
    try {
      const text = `SELECT $1::int + 1 AS next /* unprepared-probe */`;
      expect(await plainQuery(one.em.fork(), text, [41])).toEqual([{ next: 42 }]);
      expect(await preparedOn(one, [text])).toEqual([]);
    } finally {
      await one.close();
      preparePlainStatements(true); // the setting is the process's: the rest of this file's tests go on with the default
    }
  });
});
