import type { WorkflowClientInterceptor } from '@temporalio/client';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

/**
 * A Temporal client whose connection is opened lazily, so the API starts (and /readyz can say 503) while
 * Temporal is still coming up.
 */
export function createTemporalClient(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>,
  workflowInterceptors: WorkflowClientInterceptor[] = [],
): Client {
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: workflowInterceptors } });
}
