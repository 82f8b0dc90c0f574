import { Client } from 'pg';
import { initOrm } from '../../src/db/orm';
import { plainQuery } from '../../src/db/plain-sql';
import { testConfig } from '../harness/env';

/**
 * The pools read the whole DATABASE_URL, as the pg driver reads it: its sslmode and its application_name reach the
 * connections (MikroORM alone kept only the host, port, credentials and database, and connected in plain text
 * whatever sslmode said).
 */
describe('a pool connects as DATABASE_URL says', () => {
  const withParams = (params: Record<string, string>) => {
    const url = new URL(testConfig().DATABASE_URL);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  };

  /** What the pool's connection reports about itself, from PostgreSQL's side. */
  const connectionFacts = async (databaseUrl: string, applicationName?: string) => {
    const orm = await initOrm({ ...testConfig(), DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 1, applicationName });
    try {
      const [row] = await plainQuery<{ app: string; ssl: boolean }>(
        orm.em.fork(),
        `SELECT current_setting('application_name') AS app, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl`,
        [],
      );
      return row;
    } finally {
      await orm.close(true);
    }
  };

  it('names its connections after the process, unless the URL names them', async () => {
    expect((await connectionFacts(testConfig().DATABASE_URL, 'order-saga-api')).app).toBe('order-saga-api');
    expect((await connectionFacts(testConfig().DATABASE_URL)).app).toBe('order-saga');
    expect((await connectionFacts(withParams({ application_name: 'reporting-replica' }), 'order-saga-api')).app).toBe('reporting-replica');
  });

  it('uses TLS when sslmode asks for it, and refuses to connect in plain text instead', async () => {
    // This machine's server decides which of the two the URL's sslmode must lead to.
    const probe = new Client({ connectionString: testConfig().DATABASE_URL });
    await probe.connect();
    const serverTls = (await probe.query<{ ssl: string }>('SHOW ssl')).rows[0].ssl === 'on';
    await probe.end();

    // no-verify: encrypted, the certificate not checked (a local server's self-signed one).
    const tls = withParams({ sslmode: 'no-verify' });
    if (serverTls) expect((await connectionFacts(tls)).ssl).toBe(true);
    else await expect(connectionFacts(tls)).rejects.toThrow(/does not support SSL/);
    expect((await connectionFacts(withParams({ sslmode: 'disable' }))).ssl).toBe(false);
  });
});
