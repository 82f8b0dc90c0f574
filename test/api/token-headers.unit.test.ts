import { signCustomerToken } from '../../src/auth/development-token';
import { request } from '../harness/http';
import { serveAppWithoutIo } from './app-without-io';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const forged = (header: Record<string, unknown>) => `${b64(header)}.${b64({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })}.c2ln`;

/** Issue #25, finding 8: nothing a token says is ever written into a response header. */
describe('a refused customer token: 401 whatever its header holds', () => {
  let server: Awaited<ReturnType<typeof serveAppWithoutIo>>;
  beforeAll(async () => (server = await serveAppWithoutIo()));
  afterAll(() => server.close());

  it.each([
    ['a non-ASCII alg', { alg: 'HS256é', typ: 'JWT' }],
    ['an alg with a line break and quotes', { alg: 'x"\r\nSet-Cookie: a=b', typ: 'JWT' }],
    ['an emoji alg', { alg: '🔑', typ: 'JWT' }],
    ['a very long alg', { alg: 'A'.repeat(5000), typ: 'JWT' }],
    ['alg none', { alg: 'none', typ: 'JWT' }],
  ])('%s → 401 unauthorized, WWW-Authenticate holds none of it', async (_name, header) => {
    const res = await request(`${server.url}/orders`, { headers: { authorization: `Bearer ${forged(header)}` } });
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 401, error: 'unauthorized' });
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="orders"/);
    expect(challenge).toMatch(/^[\x20-\x7e]*$/);
    expect(challenge).not.toContain(String(header.alg).slice(0, 8));
    expect(JSON.stringify(res.body)).not.toContain(String(header.alg).slice(0, 8));
  });

  it('a good token still gets through auth (it then needs the database, which a unit test has not got)', async () => {
    const token = await signCustomerToken(server.config, { customerId: 'alice' });
    const res = await request(`${server.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).not.toBe(401);
  });
});
