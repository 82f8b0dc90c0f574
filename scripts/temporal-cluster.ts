// `npm run temporal:cluster`: the Temporal server on PostgreSQL, as production runs it, with its Web UI.
// Builds the pinned server, schema tool and UI server into .tools/ (once), creates/upgrades the databases
// TEMPORAL_DATABASE and TEMPORAL_DATABASE_visibility on DATABASE_URL's server, starts the frontend on TEMPORAL_ADDRESS
// (loopback only) with TEMPORAL_HISTORY_SHARDS shards, registers the namespace and search attributes. Ctrl-C stops it.
//   --build-only   only build the binaries (what `npm test` does before jest, so the build never eats a test's time)
import { loadConfigOrExit } from '../src/config';
import { CLUSTER_TOOLS, clusterOptionsFromConfig, defaultClusterDataDir, ensureGoTool, prepareTemporalCluster, waitForCluster } from '../src/devtools/temporal-cluster';
import { PROJECT_ROOT } from '../src/devtools/temporal-cli';
import { Supervisor } from '../src/devtools/supervisor';
import { temporalConnectionOptions } from '../src/temporal/connection';

if (process.argv.includes('--build-only')) {
  for (const tool of Object.values(CLUSTER_TOOLS)) process.stdout.write(ensureGoTool(tool) + '\n');
  process.exit(0);
}

const config = loadConfigOrExit();
const supervisor = new Supervisor((name, code) => shutdown(`${name} exited unexpectedly (code ${code})`, 1));
let shuttingDown = false;
function shutdown(reason: string, exitCode: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  supervisor.log(`${reason}: stopping…`);
  void supervisor.stopAll().then(() => process.exit(exitCode));
}
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('SIGTERM', () => shutdown('SIGTERM', 0));

async function main() {
  const options = clusterOptionsFromConfig(config, defaultClusterDataDir(PROJECT_ROOT));
  const cluster = prepareTemporalCluster(options, (m) => supervisor.log(m));
  supervisor.start('temporal', cluster.server.command, cluster.server.args);
  if (cluster.ui) supervisor.start('temporal-ui', cluster.ui.command, cluster.ui.args);
  await waitForCluster(temporalConnectionOptions(config), config.TEMPORAL_NAMESPACE);
  supervisor.log('');
  supervisor.log(`Temporal (PostgreSQL, ${options.historyShards} history shards)  ${cluster.address}   namespace ${options.namespace}`);
  if (cluster.ui) supervisor.log(`Temporal UI    ${cluster.ui.url}`);
  supervisor.log(`Databases      ${options.database}, ${options.database}_visibility on ${new URL(config.DATABASE_URL).host}`);
  supervisor.log('Ctrl-C stops it.');
}

main().catch((err) => shutdown(`temporal cluster failed: ${err instanceof Error ? err.message : String(err)}`, 1));
