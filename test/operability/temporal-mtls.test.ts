import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { freePortInRange } from '../../devtools/launcher/ports';
import type { ClusterPorts } from '../../devtools/temporal-cluster';
import { MAX_CLUSTER_PORT, prepareTemporalCluster, waitForCluster } from '../../devtools/temporal-cluster';
import { temporalConnectionOptions } from '../../src/temporal/connection';

// The Temporal server on PostgreSQL with mTLS on its frontend, certificates from a CA made for this run: the
// service's connection settings (TEMPORAL_TLS_*) get in, a client without a certificate (or without TLS) does not.
const SERVER_NAME = 'temporal.test';

function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=order-saga test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  };
  issue('server', `/CN=${SERVER_NAME}`, `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n`);
  issue('client', '/CN=order-saga', 'extendedKeyUsage=clientAuth\n');
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key') };
}

async function freePorts(): Promise<ClusterPorts> {
  const names: (keyof ClusterPorts)[] = ['frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership'];
  const ports = {} as ClusterPorts;
  const taken = new Set<number>();
  for (const name of names) {
    // Below the OS's ephemeral range (the server's ports must fit a smallint), away from the well-known ones.
    ports[name] = await freePortInRange(20_000, MAX_CLUSTER_PORT, taken);
    taken.add(ports[name]);
  }
  return ports;
}

describe('Temporal server with mTLS on its frontend', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let address: string;
  let certs: ReturnType<typeof makeCertificates>;
  const databaseUrl = process.env.DATABASE_URL!;
  // One database pair per developer database (DATABASE_URL names it), kept between runs: setup is re-runnable.
  const database = `${new URL(databaseUrl).pathname.slice(1).replace(/[^a-z0-9_]/g, '_')}_temporal_mtls`;

  const serviceConfig = (overrides: Record<string, string> = {}) =>
    loadConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_CA: readFileSync(certs.ca, 'utf8'), // PEM text here, file paths above: both forms work
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
      ...overrides,
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-mtls-'));
    certs = makeCertificates(dir);
    const ports = await freePorts();
    const cluster = prepareTemporalCluster(
      {
        dataDir: dir,
        databaseUrl,
        database,
        historyShards: 1,
        namespace: 'default',
        ports,
        logLevel: 'error',
        tls: {
          serverCertFile: certs.serverCert,
          serverKeyFile: certs.serverKey,
          caFile: certs.ca,
          clientCertFile: certs.clientCert,
          clientKeyFile: certs.clientKey,
          serverName: SERVER_NAME,
          requireClientAuth: true,
        },
      },
      () => undefined,
    );
    address = cluster.address;
    server = spawn(cluster.server.command, cluster.server.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    await waitForCluster(temporalConnectionOptions(serviceConfig()), 'default', 150_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${serverOutput.slice(-3000)}`);
    });
  }, 600_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server!.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets the client in with the service settings (certificate, key, CA, server name)', async () => {
    const connection = await Connection.connect(temporalConnectionOptions(serviceConfig()));
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('lets the worker connection in with the same settings', async () => {
    const connection = await NativeConnection.connect(temporalConnectionOptions(serviceConfig()));
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeDefined();
    } finally {
      await connection.close();
    }
  });

  it('refuses a client that trusts the CA but has no certificate', async () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
    const attempt = Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' }).then(async (connection) => {
      try {
        return await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    });
    await expect(attempt).rejects.toThrow();
  });

  it('refuses a plaintext client', async () => {
    const attempt = Connection.connect({ address, connectTimeout: '5s' }).then(async (connection) => {
      try {
        return await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    });
    await expect(attempt).rejects.toThrow();
  });
});
