// `npm start`: the whole system on one machine. Starts the Temporal dev server (unless TEMPORAL_ADDRESS already
// answers), migrates the database, then runs the payment simulator, the worker and the API with prefixed logs.
// Ctrl-C stops everything it started.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '../src/config';
import { ensureDatabase } from '../src/db/ensure-database';
import { migrate } from '../src/db/migrate';
import { initOrm } from '../src/db/orm';
import { devServerArgs, ensureTemporalCli, PROJECT_ROOT } from '../src/devtools/temporal-cli';
import { answers, httpOk, waitUntil } from '../src/devtools/ports';
import { Supervisor } from '../src/devtools/supervisor';

const config = loadConfigOrExit();
const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

const supervisor = new Supervisor((name, code) => shutdown(`${name} exited unexpectedly (code ${code})`, 1));
let shuttingDown = false;
function shutdown(reason: string, exitCode: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  supervisor.log(`${reason}: stopping every process…`);
  void supervisor.stopAll().then(() => {
    supervisor.log('all stopped');
    process.exit(exitCode);
  });
}
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('SIGTERM', () => shutdown('SIGTERM', 0));

// The codec server decrypts payloads for the Web UI (its browser calls it: a loopback URL works on this machine).
const codecEndpoint = `http://127.0.0.1:${config.CODEC_PORT}/codec`;

async function main() {
  const [temporalHost, temporalPortText] = config.TEMPORAL_ADDRESS.split(':');
  const temporalPort = Number(temporalPortText ?? 7233);
  let uiUrl = config.TEMPORAL_UI_URL;
  if (await answers(temporalHost, temporalPort)) {
    supervisor.log(`using the Temporal server already at ${config.TEMPORAL_ADDRESS}`);
  } else {
    const cli = ensureTemporalCli((m) => supervisor.log(m));
    const dataDir = path.join(PROJECT_ROOT, '.data');
    mkdirSync(dataDir, { recursive: true });
    const args = devServerArgs({
      port: temporalPort,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      dbFilename: path.join(dataDir, 'temporal.db'),
      uiCodecEndpoint: codecEndpoint,
    });
    supervisor.start('temporal', cli, args);
    await waitUntil('the Temporal dev server', () => answers(temporalHost, temporalPort), 60_000);
    uiUrl = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  }

  const { created } = await ensureDatabase(config.DATABASE_URL);
  if (created) supervisor.log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  const orm = await initOrm(config);
  const applied = await migrate(orm).finally(() => orm.close());
  supervisor.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  const childEnv = { ...process.env, LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') };
  supervisor.start('codec-server', tsx, ['src/codec-server/main.ts'], childEnv);
  supervisor.start('simulator', tsx, ['src/simulator/main.ts'], childEnv);
  supervisor.start('worker', tsx, ['src/worker/main.ts'], childEnv);
  supervisor.start('api', tsx, ['src/api/main.ts'], childEnv);

  const api = `http://127.0.0.1:${config.PORT}`;
  await waitUntil('the API', () => httpOk(`${api}/readyz`), 120_000);
  supervisor.log('');
  supervisor.log(`API            ${api}`);
  supervisor.log(`API docs       ${api}/docs   (OpenAPI: ${api}/openapi.json)`);
  supervisor.log(`Temporal UI    ${uiUrl}   (payloads decoded by the codec server at ${codecEndpoint})`);
  supervisor.log(`Simulator      http://127.0.0.1:${config.SIMULATOR_PORT}`);
  supervisor.log(`Worker metrics http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics`);
  supervisor.log('Ctrl-C stops everything.');
}

main().catch((err) => shutdown(`start failed: ${err instanceof Error ? err.message : String(err)}`, 1));
