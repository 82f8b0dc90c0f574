import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { ORDER_LIMITS_OFF } from '../../devtools/limits-off';
import { loadConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { initOrm } from '../../src/db/orm';
import type { Logger } from '../../src/logger';
import { createLogger } from '../../src/logger';
import { requireSystemTest } from './test-kind';

/**
 * Test-side access to what global-setup started: the config points at the test database and the harness's
 * Temporal dev server. Every test gets its own task queue and random ids so tests never see each other's work.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  // The limit tests set the limits through `overrides`. Tests assert 201s: on two shared cores a placement can take
  // longer than the 5 s PLACEMENT_DEADLINE, so the deadline's own tests set it.
  return loadConfig({ ...ORDER_LIMITS_OFF, PLACEMENT_DEADLINE: '60s', ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...overrides });
}


export const uniqueId = (prefix: string) => `${prefix}-${randomUUID()}`;
export const uniqueTaskQueue = () => uniqueId('tq');

export function testLogger(): Logger {
  return createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
}

export async function testOrm(config: Config = testConfig()): Promise<Orm> {
  requireSystemTest('testOrm()');
  return initOrm({ ...config, DATABASE_POOL_MAX: Math.max(config.DATABASE_POOL_MAX, 20) });
}
