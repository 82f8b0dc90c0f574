import { Client as PgClient } from 'pg';
import { orderWorkflowId } from '../../workflows/order/definitions';
import type { Violation } from './invariants';

/** Where the order workflows of a run on TEMPORAL_PERSISTENCE=postgres live: rows of the Temporal server's database. */
export interface TemporalRows {
  database: string;
  /** Orders in the application's database (each has its saga, `order-<id>`). */
  orders: number;
  /** Of those, the ones whose workflow has an `executions` row and `history_node` rows (its event history). */
  persisted: number;
  /** Order ids whose workflow has no such rows. */
  missing: string[];
}

export const PERSISTED_INVARIANT = 'every order’s workflow has its execution and history rows in the Temporal database';

/**
 * Counts the order workflows whose state the Temporal server keeps in PostgreSQL (schema v1.29, postgresql/v12):
 * `executions` holds a run's mutable state by (workflow_id, run_id); `history_node` holds its events, on the
 * same shard, under the history tree whose id is the run id of the run that started it (for order sagas, the only run).
 */
export async function countPersistedOrderWorkflows(databaseUrl: string, temporalDatabase: string): Promise<TemporalRows> {
  const app = new PgClient({ connectionString: databaseUrl, application_name: 'chaos-temporal-rows' });
  const url = new URL(databaseUrl);
  url.pathname = `/${temporalDatabase}`;
  const temporal = new PgClient({ connectionString: url.toString(), application_name: 'chaos-temporal-rows' });
  await app.connect();
  try {
    await temporal.connect();
    const orders = (await app.query<{ id: string; workflow_id: string }>('SELECT id, workflow_id FROM orders')).rows;
    const { rows } = await temporal.query<{ workflow_id: string }>(`
      SELECT DISTINCT e.workflow_id FROM executions e
      WHERE e.workflow_id LIKE 'order-%' AND EXISTS (SELECT 1 FROM history_node h WHERE h.shard_id = e.shard_id AND h.tree_id = e.run_id)`);
    const persisted = new Set(rows.map((r) => r.workflow_id));
    const missing = orders.filter((o) => !persisted.has(o.workflow_id)).map((o) => o.id);
    return { database: temporalDatabase, orders: orders.length, persisted: orders.length - missing.length, missing };
  } finally {
    await temporal.end().catch(() => undefined);
    await app.end();
  }
}

/** Each order whose workflow is not there is a violation of the run (the report lists the first few). */
export function persistenceViolations(rows: TemporalRows): Violation[] {
  return rows.missing.map((id) => ({ invariant: PERSISTED_INVARIANT, subject: orderWorkflowId(id), detail: `no executions/history_node rows in ${rows.database}` }));
}

/** The summary line. */
export function formatTemporalRows(rows: TemporalRows): string {
  return `Temporal database ${rows.database}: ${rows.persisted} of ${rows.orders} order workflows have their rows there (executions + history_node)${rows.missing.length ? `; ${rows.missing.length} MISSING` : ''}`;
}
