import { randomBytes } from 'node:crypto';
import { createCodecServerApp } from '../../src/codec-server/app';
import { createLogger } from '../../src/logger';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import type { RunningServer } from '../harness/http';
import { request, serve } from '../harness/http';

/** Issue #25, finding 5: with CODEC_AUTH_TOKEN, the codec server answers its bearer, or the Web UI's session cookie. */
describe('the codec server with CODEC_AUTH_TOKEN', () => {
  const token = 'a-codec-token-of-32-or-more-characters';
  let server: RunningServer;
  const decode = (headers: Record<string, string>) => request(`${server.url}/codec/decode`, { body: { payloads: [] }, headers });
  beforeAll(async () => {
    const codec = new AesGcmPayloadCodec([{ id: 'k1', key: randomBytes(32) }]);
    server = await serve(createCodecServerApp({ codec, logger: createLogger('test', 'silent'), corsOrigins: [], authToken: token }));
  });
  afterAll(() => server.close());

  it('refuses callers without the token: 401', async () => {
    expect((await decode({})).status).toBe(401);
    expect((await decode({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await decode({ cookie: 'codec_session=wrong' })).status).toBe(401);
    expect((await decode({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('starts a session for the Web UI: the right token sets an HttpOnly, SameSite=Strict cookie that decodes', async () => {
    expect((await request(`${server.url}/codec/session`)).status).toBe(200);
    expect((await request(`${server.url}/codec/session`, { body: { token: 'wrong' } })).status).toBe(401);
    const started = await request(`${server.url}/codec/session`, { body: { token } });
    expect(started.status).toBe(204);
    const cookie = started.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^codec_session=[^;]+; path=\/codec; expires=[^;]+; samesite=strict; httponly$/i);
    expect((await decode({ cookie: cookie.split(';')[0] })).status).toBe(200);
  });
});
