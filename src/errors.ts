/**
 * A business failure with a stable machine-readable code. Domain code throws these and knows nothing of HTTP; the
 * HTTP toolkit's error middleware (src/http/error-middleware.ts) is the one place that maps a code to a status,
 * through the error table of the app that answers (src/api/error-codes.ts, src/simulator/error-codes.ts).
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} was not found`);
  }
}

/** `value` when a lookup found it; otherwise a NotFoundError naming what was looked for. */
export function found<T>(value: T | null | undefined, what: string, id: string): T {
  if (value === undefined || value === null) throw new NotFoundError(what, id);
  return value;
}

/** Input that does not have the shape it must have; `details` lists each problem ({ path, code, message }). */
export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}
