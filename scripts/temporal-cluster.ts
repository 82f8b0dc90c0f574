// `npm run temporal:cluster`: only the Temporal server on PostgreSQL (what TEMPORAL_PERSISTENCE=postgres npm start
// runs under the system), with its Web UI, for running the services by hand or pointing tools at it. Builds the
// pinned server, schema tool and UI server into .tools/ (once), creates/upgrades the databases TEMPORAL_DATABASE and
// TEMPORAL_DATABASE_visibility on DATABASE_URL's server, starts the frontend on TEMPORAL_ADDRESS (loopback only)
// with TEMPORAL_HISTORY_SHARDS shards, registers the namespace and search attributes. Ctrl-C stops it.
//   --build-only   only build the binaries (what `npm test` does before jest, so the build never eats a test's time)
import path from 'node:path';
import { startPostgresCluster } from '../devtools/launcher/temporal-postgres';
import { ensureGoTool } from '../devtools/go-tools';
import { PROJECT_ROOT } from '../devtools/project-root';
import { CLUSTER_TOOLS } from '../devtools/temporal-cluster';
import { loadConfigOrExit } from '../src/config';

if (process.argv.includes('--build-only')) {
  for (const tool of Object.values(CLUSTER_TOOLS)) process.stdout.write(ensureGoTool(tool) + '\n');
  process.exit(0);
}

const log = (message: string) => process.stdout.write(`${'temporal'.padEnd(10)}| ${message}\n`);

async function main() {
  const config = loadConfigOrExit();
  const stateDir = path.join(PROJECT_ROOT, '.data');
  const server = await startPostgresCluster({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    uiPort: config.TEMPORAL_UI_PORT,
    stateDir,
    workDir: stateDir,
    database: { url: config.DATABASE_URL, fresh: false },
    output: () => 'console',
    log,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  log('');
  log(`Temporal       ${server.address}   namespace ${server.namespace}   ${server.mode}`);
  if (server.uiUrl) log(`Temporal UI    ${server.uiUrl}`);
  log('Ctrl-C stops it.');
}

main().catch((err: unknown) => {
  process.stderr.write(`temporal cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
