import type { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import { loadConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createLogger } from '../../src/logger';
import type { RunningServer } from '../harness/http';
import { serve } from '../harness/http';

/**
 * The real API app for unit tests of answers given before anything reaches PostgreSQL or Temporal (auth, routing,
 * ops routes): both are stand-ins that fail when touched, unless a test passes its own.
 */
export async function serveAppWithoutIo(
  env: Record<string, string> = {},
  parts: { orm?: unknown; temporal?: unknown } = {},
): Promise<RunningServer & { config: Config }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const untouchable = (what: string) =>
    new Proxy({}, { get: (_, property) => { throw new Error(`${what}.${String(property)} touched in a unit test`); } });
  const app = createApp({
    config,
    orm: (parts.orm ?? untouchable('orm')) as Orm,
    temporal: (parts.temporal ?? untouchable('temporal')) as Client,
    logger: createLogger('test', 'silent'),
  });
  return { ...(await serve(app)), config };
}
