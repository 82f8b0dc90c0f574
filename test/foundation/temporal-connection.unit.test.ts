import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { describeTemporalConnection, temporalConnectionOptions } from '../../src/temporal/connection';

const PEM = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('Temporal connection settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-conn-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is plaintext to 127.0.0.1:7233 by default, as for the development server', () => {
    const options = temporalConnectionOptions(loadConfig({}));
    expect(options).toEqual({ address: '127.0.0.1:7233' });
    expect(describeTemporalConnection(loadConfig({}))).toBe('127.0.0.1:7233 (plaintext)');
  });

  it('reads certificates from PEM text (with \\n escapes) or from a file path', () => {
    const certFile = path.join(dir, 'client.pem');
    writeFileSync(certFile, PEM('CERTIFICATE', 'Y2VydA=='));
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'orders.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CERT: certFile,
      TEMPORAL_TLS_KEY: '-----BEGIN PRIVATE KEY-----\\na2V5\\n-----END PRIVATE KEY-----',
      TEMPORAL_TLS_CA: PEM('CERTIFICATE', 'Y2E='),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const options = temporalConnectionOptions(config);
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toBe(PEM('CERTIFICATE', 'Y2VydA=='));
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toBe(PEM('PRIVATE KEY', 'a2V5'));
    expect(Buffer.from(options.tls!.serverRootCACertificate!).toString()).toBe(PEM('CERTIFICATE', 'Y2E='));
    expect(options.tls!.serverNameOverride).toBe('temporal.internal');
    expect(describeTemporalConnection(config)).toBe('orders.a1b2c.tmprl.cloud:7233 (mTLS)');
  });

  it('turns TLS on for an API key (Temporal Cloud) and for TEMPORAL_TLS=1 alone', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY: 'key-123' }))).toEqual({ address: '127.0.0.1:7233', tls: {}, apiKey: 'key-123' });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: '1' }))).toEqual({ address: '127.0.0.1:7233', tls: {} });
  });

  it('names the variable when a certificate file is missing, not PEM, or its pair is missing', () => {
    const variables = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return err.issues.map((i) => `${i.variable}: ${i.message}`);
      }
    };
    expect(variables({ TEMPORAL_TLS_CA: path.join(dir, 'nope.pem') })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CA: .*cannot read .*ENOENT/)]);
    const notPem = path.join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(variables({ TEMPORAL_TLS_CA: notPem })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CA: expected PEM/)]);
    expect(variables({ TEMPORAL_TLS_CERT: PEM('CERTIFICATE', 'eA==') })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT/)]);
    expect(variables({ TEMPORAL_TLS_KEY: PEM('PRIVATE KEY', 'eA==') })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CERT: required when TEMPORAL_TLS_KEY/)]);
  });
});
