import type { System } from '../../devtools/launcher';
import { launch } from '../../devtools/launcher';

declare global {
  var __ORDER_SAGA_TEST_SYSTEM__: System | undefined;
}

/**
 * Runs once per `jest` run, through the launcher: one real Temporal dev server (the project's pinned CLI, npm
 * start's dynamic config) on a free port, the test database recreated and migrated, and the workflow code bundled
 * once. No service processes: tests run the API, simulator and workers in-process (test/harness/stack.ts). Test
 * files find all this through the environment variables set here, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/order_saga_test';
  const system = await launch({
    name: 'jest',
    databaseUrl,
    recreateDatabase: true,
    services: [],
    ports: 'free',
    logs: 'files',
    workflowBundle: { build: 'workflows' },
    log: () => undefined,
  });
  globalThis.__ORDER_SAGA_TEST_SYSTEM__ = system;
  process.env.TEMPORAL_ADDRESS = system.temporalAddress;
  process.env.TEMPORAL_NAMESPACE = 'default';
  process.env.DATABASE_URL = databaseUrl;
  process.env.WORKFLOW_BUNDLE_PATH = system.workflowBundlePath;
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
}
