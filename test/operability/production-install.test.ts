import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, httpOk, waitUntil } from '../../devtools/launcher/ports';
import { uniqueTaskQueue } from '../harness/env';

// What the Docker image runs, built the same way without Docker: the production dependency set installed from the
// lockfile alone (`npm ci --omit=dev`), the compiled JavaScript, and the prebuilt workflow bundle. The API and the
// worker must come up from it, on the harness's PostgreSQL and Temporal dev server.
const root = path.resolve(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
}

function startNode(dir: string, script: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [script], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stop(started?: Started): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

describe('production install (npm ci --omit=dev + compiled JavaScript)', () => {
  let dir: string;
  let api: Started | undefined;
  let worker: Started | undefined;
  const secret = () => randomBytes(24).toString('hex');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'order-saga-prod-'));
    copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    copyFileSync(path.join(root, 'package-lock.json'), path.join(dir, 'package-lock.json'));
    // From the lockfile only: npm ci refuses a lockfile that is out of step or lacks a platform's packages.
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'pipe', timeout: 240_000 });
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist'), '--sourceMap', 'false'], {
      cwd: root,
      stdio: 'pipe',
      timeout: 240_000,
    });
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      // Asked for, but pino-pretty is a development dependency: the services must fall back to JSON.
      LOG_FORMAT: 'pretty',
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.DATABASE_URL,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
      // The global setup's bundle stands in for dist/workflow-bundle.js (the same code, built the same way).
      WORKFLOW_BUNDLE_PATH: process.env.WORKFLOW_BUNDLE_PATH,
      ADMIN_TOKEN: secret(),
      PAYMENT_WEBHOOK_SECRET: secret(),
      CARRIER_WEBHOOK_SECRET: secret(),
      AUTH_JWT_SECRET: secret(),
      AUTH_ISSUER: 'order-saga',
      AUTH_AUDIENCE: 'order-saga-api',
      METRICS_TOKEN: secret(),
      PAYLOAD_ENCRYPTION_KEYS: `prod:${randomBytes(32).toString('base64')}`,
      WORKER_SDK_METRICS_PORT: '0',
      // Its relay would take other test files' webhook messages from the shared database and, as production does,
      // refuse their loopback URLs (an attempt each, the message left pending): those files' checks would see it.
      WEBHOOK_RELAY: 'off',
    };
  }, 540_000);

  afterAll(async () => {
    await stop(api);
    await stop(worker);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs only runtime packages: no tsx, TypeScript, jest, Temporal test server or pino-pretty', () => {
    for (const dev of ['tsx', 'typescript', 'jest', '@temporalio/testing', 'pino-pretty', '@swc/jest', 'eslint']) {
      expect({ dev, installed: existsSync(path.join(dir, 'node_modules', dev)) }).toEqual({ dev, installed: false });
    }
    for (const runtime of ['koa', '@temporalio/worker', '@mikro-orm/postgresql', 'pino']) {
      expect({ runtime, installed: existsSync(path.join(dir, 'node_modules', runtime)) }).toEqual({ runtime, installed: true });
    }
  });

  it('starts the compiled API, which answers /healthz and /readyz', async () => {
    const port = await freePort();
    api = startNode(dir, 'dist/src/api/main.js', { ...env, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('the compiled API', () => httpOk(`${url}/healthz`), 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${api!.output()}`);
    });
    await waitUntil('the compiled API to be ready', () => httpOk(`${url}/readyz`), 30_000);
    // JSON lines although LOG_FORMAT=pretty asked for colours: the warning says why.
    expect(api.output()).toMatch(/"msg":"LOG_FORMAT=pretty but pino-pretty is not installed/);
  }, 120_000);

  it('starts the compiled worker on the prebuilt bundle: it polls its task queue and answers /healthz', async () => {
    const port = await freePort();
    worker = startNode(dir, 'dist/src/worker/main.js', { ...env, WORKER_METRICS_PORT: String(port) });
    await waitUntil('the compiled worker to poll', async () => /"msg":"worker polling"/.test(worker!.output()), 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${worker!.output()}`);
    });
    expect(worker.output()).toMatch(/"workflowCode":"prebuilt bundle"/);
    expect(await httpOk(`http://127.0.0.1:${port}/healthz`)).toBe(true);
  }, 120_000);
});
