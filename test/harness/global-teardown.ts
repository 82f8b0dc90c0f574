import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEMPORAL_TEST_ENV__?.teardown();
  if (process.env.WORKFLOW_BUNDLE_PATH) rmSync(process.env.WORKFLOW_BUNDLE_PATH, { force: true });
}
