import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { recreateDatabase } from '../../src/db/ensure-database';
import { migrate } from '../../src/db/migrate';
import { initOrm } from '../../src/db/orm';
import { DEV_SERVER_DYNAMIC_CONFIG, ensureTemporalCli } from '../../src/devtools/temporal-cli';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/workflow-interceptors';
import { ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

declare global {
  var __TEMPORAL_TEST_ENV__: TestWorkflowEnvironment | undefined;
}

/**
 * Runs once per `jest` run: starts one real Temporal dev server (the project's pinned CLI), recreates and migrates
 * the test database, and bundles the workflow code once. Test files find them through the environment variables
 * set here, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      searchAttributes: ORDER_SEARCH_ATTRIBUTES,
      // The same dynamic config as npm start (see DEV_SERVER_DYNAMIC_CONFIG): fast task dispatch, eager activities.
      extraArgs: DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
      log: { format: 'pretty', level: 'error' },
    },
  });
  globalThis.__TEMPORAL_TEST_ENV__ = env;
  process.env.TEMPORAL_ADDRESS = env.address;
  process.env.TEMPORAL_NAMESPACE = 'default';

  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/order_saga_test';
  await recreateDatabase(databaseUrl);
  const orm = await initOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 });
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  process.env.DATABASE_URL = databaseUrl;

  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} } as never,
  });
  const bundlePath = path.join(os.tmpdir(), `order-saga-workflows-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
}
