import { ApplicationFailure, Context } from '@temporalio/activity';
import { TemporalFailure } from '@temporalio/common';
import { DriverException } from '@mikro-orm/core';
import type { Logger } from '../src/logger';
import { ProviderHttpError } from '../src/payments/http-json';

/**
 * What leaves an activity as a failure is written to the workflow's history. The text of what the activity's
 * dependencies throw is not ours to write there: a database error quotes the statement's bound values (a customer's
 * email), a provider's error echoes what it was sent (a PaymentMethod id). So every failure that is not already
 * one of ours (an ApplicationFailure the activity raised, a cancellation) leaves with a fixed message that says only
 * which dependency failed; the details go to the worker's log, without the thrown message.
 *
 * Retrying is unchanged: these failures are retryable ApplicationFailures, typed by the dependency
 * (`database_error`, `provider_error`, `activity_error`), none of which a retry policy names as non-retryable.
 */
export const SAFE_FAILURES = {
  database_error: 'the database failed the statement',
  provider_error: 'the payment or notification provider failed the request',
  activity_error: 'the activity failed unexpectedly',
} as const;

/** Which dependency an error came from, and the machine-readable code it carries (SQLSTATE, provider code). */
function classify(err: unknown): { type: keyof typeof SAFE_FAILURES; code?: string; status?: number } {
  if (err instanceof DriverException) return { type: 'database_error', code: typeof err.code === 'string' ? err.code : undefined };
  if (err instanceof ProviderHttpError) return { type: 'provider_error', code: err.code, status: err.status };
  return { type: 'activity_error' };
}

/** The stack without its first line (which repeats the message): where it failed, not what it was told. */
function framesOf(err: unknown): string | undefined {
  return err instanceof Error && err.stack ? err.stack.split('\n').slice(1, 6).join('\n') : undefined;
}

function whereFrom(): Record<string, string> {
  try {
    const { activityType, workflowExecution } = Context.current().info;
    return { activity: activityType, workflowId: workflowExecution?.workflowId ?? '' };
  } catch {
    return {}; // called outside an activity (tests): nothing to name
  }
}

/** The failure an activity leaves with for `err`: ours as they are, anything else under a fixed message. */
export function safeFailure(err: unknown, logger: Logger): unknown {
  if (err instanceof TemporalFailure) return err; // raised by the activity itself (our text) or a cancellation
  const { type, code, status } = classify(err);
  const errorClass = err instanceof Error ? err.name : typeof err;
  logger.warn({ ...whereFrom(), failure: type, errorClass, code, status, frames: framesOf(err) }, 'activity attempt failed');
  return ApplicationFailure.create({ type, message: SAFE_FAILURES[type], details: [{ errorClass, code, status }], nonRetryable: false });
}

/** Wraps every activity so its failures leave through safeFailure. */
export function withSafeFailures<T extends object>(activities: T, logger: Logger): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(activities)) {
    wrapped[name] =
      typeof run === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (run as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (err) {
              throw safeFailure(err, logger);
            }
          }
        : run;
  }
  return wrapped as T;
}
