/**
 * A business failure with a stable machine-readable code. Domain code throws these; the API's error middleware
 * is the one place that maps a code to an HTTP status (src/api/error-middleware.ts).
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
