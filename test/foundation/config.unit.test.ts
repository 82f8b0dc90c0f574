import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('has working local defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/order_saga');
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.PORT).toBe(3000);
    expect(config.SIMULATOR_PORT).toBe(4010);
    expect(config.PAYMENT_TIMEOUT).toBe(15 * 60_000);
    expect(config.CANCEL_WINDOW).toBe(30 * 60_000);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    try {
      loadConfig({ PORT: 'abc', PAYMENT_TIMEOUT: 'soon' });
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['PAYMENT_TIMEOUT', 'PORT']);
    }
  });

  it('parses durations such as 8s and 15m', () => {
    expect(loadConfig({ PAYMENT_TIMEOUT: '8s', CANCEL_WINDOW: '250ms' })).toMatchObject({
      PAYMENT_TIMEOUT: 8000,
      CANCEL_WINDOW: 250,
    });
  });
});
