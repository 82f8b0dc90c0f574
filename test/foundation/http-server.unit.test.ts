import Koa from 'koa';
import { describeBinding, listen } from '../../src/http/server';

describe('the start-up line names the address really bound', () => {
  it('listen() reports the bound address and port', async () => {
    const http = await listen(new Koa(), 0, '127.0.0.1');
    try {
      expect(http.address).toBe('127.0.0.1');
      expect(http.port).toBeGreaterThan(0);
    } finally {
      await http.close();
    }
  });

  it('a wildcard says so, with the URL that reaches it from this machine', () => {
    expect(describeBinding('0.0.0.0', 3000)).toBe('http://0.0.0.0:3000 (every interface; http://127.0.0.1:3000 from this machine)');
    expect(describeBinding('::', 3000)).toBe('http://[::]:3000 (every interface; http://127.0.0.1:3000 from this machine)');
    expect(describeBinding('127.0.0.1', 3100)).toBe('http://127.0.0.1:3100');
    expect(describeBinding('::1', 3100)).toBe('http://[::1]:3100');
  });
});
