import type { Orm } from '../../src/db/orm';
import { initOrm } from '../../src/db/orm';
import { plainQuery } from '../../src/db/plain-sql';
import { testConfig } from '../harness/env';

/**
 * DATABASE_POOL_IDLE_TIMEOUT reaches the pool: a connection idle for less than it is the one the next query gets (its
 * backend and prepared statements kept), one idle for longer is closed and the next query opens another.
 */
describe('the pool keeps idle connections for DATABASE_POOL_IDLE_TIMEOUT', () => {
  const backendAfterPause = async (idleTimeoutMs: number, pauseMs: number) => {
    const orm: Orm = await initOrm({ ...testConfig(), DATABASE_POOL_MAX: 1, DATABASE_POOL_IDLE_TIMEOUT: idleTimeoutMs });
    try {
      const backend = async () => (await plainQuery<{ pid: number }>(orm.em.fork(), `SELECT pg_backend_pid() AS pid`, []))[0].pid;
      const before = await backend();
      await new Promise((r) => setTimeout(r, pauseMs));
      return { before, after: await backend() };
    } finally {
      await orm.close();
    }
  };

  it('answers after a lull shorter than the timeout on the same connection', async () => {
    // The pool looks for idle connections to close every second: a 2.5-s lull spans at least two of its checks.
    const { before, after } = await backendAfterPause(60_000, 2_500);
    expect(after).toBe(before);
  });

  it('closes a connection idle for longer than the timeout, and answers on a new one', async () => {
    const { before, after } = await backendAfterPause(200, 2_500);
    expect(after).not.toBe(before);
  });
});
