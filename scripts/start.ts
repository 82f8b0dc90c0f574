// `npm start`: the whole system on one machine. Starts Temporal (unless TEMPORAL_ADDRESS already answers),
// migrates the database, then runs the codec server, the payment simulator, WORKERS worker(s) and API_INSTANCES API(s) with prefixed
// logs, and prints their URLs. Ctrl-C stops everything it started, in reverse order.
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { launch, System, systemServices } from '../devtools/launcher';
import { loadLauncherSettings } from '../devtools/launcher/settings';
import { PROJECT_ROOT } from '../devtools/project-root';

const log = (message: string) => process.stdout.write(`${'start'.padEnd(10)}| ${message}\n`);

let shuttingDown = false;
function shutdown(reason: string, exitCode: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${reason}: stopping every process…`);
  // Every system launched, also one still starting (its launch then fails and stops what it began).
  void Promise.allSettled([...System.live].map((s) => s.stop())).then(() => {
    log('all stopped');
    process.exit(exitCode);
  });
}
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('SIGTERM', () => shutdown('SIGTERM', 0));

async function main() {
  const config = loadConfig();
  const settings = loadLauncherSettings();
  const system = await launch({
    name: 'start',
    databaseUrl: config.DATABASE_URL,
    services: systemServices({ workers: settings.WORKERS, apiInstances: settings.API_INSTANCES }),
    ports: 'config',
    temporal: { persistence: settings.TEMPORAL_PERSISTENCE, reuseRunning: true, persist: true },
    logs: 'console',
    // Temporal's SQLite file survives restarts of `npm start`.
    workDir: path.join(PROJECT_ROOT, '.data'),
    onUnexpectedExit: (name, exit) => shutdown(`${name} exited unexpectedly (code ${exit.code ?? exit.signal})`, 1),
    log,
  });
  if (shuttingDown) return;
  log('');
  for (const line of system.urlLines()) log(line);
  log('Ctrl-C stops everything.');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(1);
  }
  shutdown(`start failed: ${err instanceof Error ? err.message : String(err)}`, 1);
});
