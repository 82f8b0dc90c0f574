import { startDevServer } from './temporal-dev';
import { startPostgresCluster } from './temporal-postgres';
import type { TemporalServer, TemporalStarter } from './temporal-server';

/** A Temporal server someone else runs (found answering at the address): used as it is, never stopped. */
export function existingServer(address: string, namespace: string, uiUrl: string | undefined): TemporalServer {
  return {
    mode: 'existing',
    address,
    namespace,
    uiUrl,
    args: [],
    pids: () => [],
    restart: () => Promise.reject(new Error(`the Temporal server at ${address} is not ours to restart`)),
    stop: () => Promise.resolve(),
  };
}

/**
 * Every way the launcher can run Temporal (TEMPORAL_PERSISTENCE). A new mode is one more TemporalStarter here:
 * it builds or finds its binaries, starts its processes, registers the namespace and search attributes, and
 * answers once a client can use the namespace.
 */
export const TEMPORAL_MODES = {
  dev: startDevServer,
  postgres: startPostgresCluster,
} satisfies Record<string, TemporalStarter>;

export type TemporalPersistence = keyof typeof TEMPORAL_MODES;
