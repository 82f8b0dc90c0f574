import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { temporalClientOptions } from './options';
import type { TemporalConnectionConfig } from './connection';
import { temporalConnectionOptions } from './connection';

/**
 * A Temporal client whose connection is opened lazily, so the API starts (and /readyz can say 503) while
 * Temporal is still coming up. Payloads are encrypted (temporalClientOptions).
 */
export function createTemporalClient(
  config: TemporalConnectionConfig & Pick<Config, 'TEMPORAL_NAMESPACE' | 'PAYLOAD_ENCRYPTION_KEYS'>,
): Client {
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const { dataConverter, interceptors } = temporalClientOptions(config);
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors });
}
