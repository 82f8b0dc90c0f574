import { ActivityFailure, ApplicationFailure, isCancellation, TemporalFailure } from '@temporalio/workflow';
import type { Rejection } from './definitions';
import { BUSINESS_ERRORS } from './state-machine';

/**
 * How the saga tells a forward step's failures apart: a business rejection (answered to the placement), a failure
 * for good (the order is undone and closed), or a cancellation (a Temporal cancel, handled as such).
 */

/**
 * A forward step failed for good (non-retryable, or out of attempts). A local activity's failure does not name its
 * activity, so the saga names the step.
 */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly failure: unknown,
  ) {
    super(`step ${step} failed`);
  }
}

/** The failure of a forward step, named; a cancellation (or anything that is not a Temporal failure) stays as it is. */
export function stepFailure(step: string, err: unknown): unknown {
  return isCancellation(err) || !(err instanceof TemporalFailure) ? err : new StepFailure(step, err);
}

/** Runs a forward step whose every failure is one for good: it is thrown named. */
export async function runStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw stepFailure(step, err);
  }
}

/** The business rejection carried by a failed activity (non-retryable ApplicationFailure), if that is what it was. */
export function businessRejection(err: unknown): Rejection | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type && BUSINESS_ERRORS.includes(cause.type)) {
    return { code: cause.type, message: cause.message, details: cause.details?.[0] };
  }
  return undefined;
}
