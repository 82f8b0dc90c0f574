import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per process (never prom-client's global one): tests build several apps and workers in one process,
 * and each must count only its own work. `defaults` adds the Node process metrics (CPU, memory, event-loop lag).
 */
export function createMetricsRegistry(service: string, { defaults = true }: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaults) collectDefaultMetrics({ register: registry });
  return registry;
}
