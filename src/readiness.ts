import type { ConnectionLike } from '@temporalio/client';
import type { Orm } from './db/orm';

export interface ReadinessReport {
  ready: boolean;
  checks: { postgres: CheckResult; temporal: CheckResult };
}
/**
 * A failed check says only how it failed: a driver's error text (hosts, user names, SQL states) is for the logs of
 * whoever runs the probe, not for the public answer of /readyz.
 */
type CheckResult = { ok: true } | { ok: false; error: 'unavailable' | 'timeout' };

/** Runs one probe with a timeout; the abort signal lets a probe stop its own retries when time is up. */
async function check(fn: (signal: AbortSignal) => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Error('timeout');
  try {
    await Promise.race([
      fn(controller.signal),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(timedOut);
        }, timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err === timedOut ? 'timeout' : 'unavailable' };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Asks PostgreSQL and Temporal whether they answer within a short timeout; shared by the API and the worker. */
export async function checkReadiness(
  orm: Orm,
  temporal: Pick<ConnectionLike, 'withAbortSignal' | 'workflowService'>,
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const [postgres, temporalCheck] = await Promise.all([
    check(() => orm.em.getConnection().execute('SELECT 1'), timeoutMs),
    check(
      (signal) => temporal.withAbortSignal(signal, () => temporal.workflowService.getSystemInfo({})),
      timeoutMs,
    ),
  ]);
  return { ready: postgres.ok && temporalCheck.ok, checks: { postgres, temporal: temporalCheck } };
}
