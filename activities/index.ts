import type { Config } from '../src/config';
import type { Orm } from '../src/db/orm';
import type { Logger } from '../src/logger';

/** Everything activities reach the outside world through; injected so tests can use real or fake parts. */
export interface ActivityDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
}

/**
 * The worker's activities. Each one forks its own EntityManager and is idempotent, because Temporal retries it.
 */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
