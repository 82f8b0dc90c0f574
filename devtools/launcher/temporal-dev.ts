import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { devServerArgs, ensureTemporalCli } from '../temporal-cli';
import { answers, waitUntil } from './ports';
import { ManagedProcess } from './process';
import type { TemporalStarter } from './temporal-server';
import { splitAddress } from './temporal-server';

/** The port opens before the namespace and search attributes exist: waits until a client can use them. */
export async function waitForNamespace(address: string, namespace: string, timeoutMs = 60_000): Promise<void> {
  const { host, port } = splitAddress(address);
  await waitUntil(`Temporal at ${address}`, () => answers(host, port), timeoutMs);
  const connection = await Connection.connect({ address });
  try {
    await waitUntil(
      `the ${namespace} namespace`,
      () =>
        connection.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        ),
      timeoutMs,
    );
  } finally {
    await connection.close();
  }
}

/**
 * The `dev` persistence mode: the Temporal CLI's dev server (one process, SQLite, one history shard), with the
 * project's search attributes and dynamic config (devServerArgs).
 */
export const startDevServer: TemporalStarter = async (options) => {
  const cli = ensureTemporalCli(options.log);
  const { port } = splitAddress(options.address);
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const args = devServerArgs({
    port,
    uiPort: options.uiPort || undefined,
    namespace: options.namespace,
    dbFilename: options.stateDir ? path.join(options.stateDir, 'temporal.db') : undefined,
    dynamicConfig: options.dynamicConfig,
    uiCodecEndpoint: options.uiCodecEndpoint,
  });
  const start = async () => {
    const server = new ManagedProcess({
      name: 'temporal',
      command: cli,
      args,
      env: process.env,
      output: options.output('temporal'),
    });
    try {
      await Promise.race([
        waitForNamespace(options.address, options.namespace),
        server.exited.then((exit) => {
          throw new Error(`the Temporal dev server exited while starting (${JSON.stringify(exit)})`);
        }),
      ]);
    } catch (err) {
      await server.stop(2000);
      throw err;
    }
    return server;
  };
  let server = await start();
  return {
    mode: 'dev',
    address: options.address,
    namespace: options.namespace,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    args,
    pids: () => (server.running ? [server.pid] : []),
    async restart() {
      if (!options.stateDir)
        throw new Error('restarting an in-memory dev server would lose every workflow: give it a stateDir');
      await server.kill(); // SQLite in WAL mode survives a crash
      server = await start();
    },
    async stop() {
      await server.stop(10_000);
    },
  };
};
