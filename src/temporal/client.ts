import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { temporalClientOptions } from './options';

/**
 * A Temporal client whose connection is opened lazily, so the API starts (and /readyz can say 503) while
 * Temporal is still coming up. Payloads are encrypted (temporalClientOptions).
 */
export function createTemporalClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_ENCRYPTION_KEYS'>): Client {
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...temporalClientOptions(config) });
}
