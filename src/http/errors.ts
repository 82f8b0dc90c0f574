import { z } from 'zod';
import { ValidationError } from '../errors';

/**
 * The one error vocabulary of every HTTP app here (the API, the simulator, the worker's ops port, the codec server):
 * answers are JSON `{ error, message, details? }`, an HttpError carries its own status, and a DomainError's code
 * gets its status from the error table of the app that answers.
 */

/** An error raised at the HTTP boundary that already knows its status (a body that is not JSON, a bad credential). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return details === undefined ? { error: code, message } : { error: code, message, details };
}

/** The JSON error shape, for the OpenAPI documents; each answer narrows `error` to the codes it can carry. */
export const errorBodySchema = z.object({
  error: z.string().describe('a stable machine-readable code'),
  message: z.string().describe('for people; may change'),
  details: z.unknown().optional(),
});

/** One code of an app's error table: its status, and (for the document) what it means. */
export type ErrorEntry = number | { status: number; meaning: string };
export type ErrorTable<C extends string = string> = Readonly<Record<C, ErrorEntry>>;

/** The codes the toolkit answers with by itself (request parsing, routing, the unexpected): every table has them. */
export type ToolkitErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'invalid_encoding'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'method_not_allowed'
  | 'internal_error';

/** The table of an app with no codes of its own (the worker's ops port, the codec server). */
export const TOOLKIT_ERRORS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_encoding: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  not_implemented: 501,
  service_unavailable: 503,
} as const satisfies ErrorTable<ToolkitErrorCode | 'not_implemented' | 'service_unavailable'>;

/** What any request with a JSON body can fail with (the body parser and the schema). */
export const BODY_ERRORS = ['invalid_json', 'invalid_encoding', 'validation_failed', 'payload_too_large', 'unsupported_media_type'] as const;

/** The status `table` gives `code`, or undefined for a code it does not know (a programming error: answered 500). */
export function statusIn(table: ErrorTable, code: string): number | undefined {
  if (!Object.hasOwn(table, code)) return undefined;
  const entry = table[code];
  return typeof entry === 'number' ? entry : entry.status;
}

/** What `code` means, as the document says it. */
export function meaningIn(table: ErrorTable, code: string): string | undefined {
  const entry = Object.hasOwn(table, code) ? table[code] : undefined;
  return typeof entry === 'object' ? entry.meaning : undefined;
}

/**
 * A request refused for its shape or its credentials (a 4xx HttpError, or input that failed validation), as opposed
 * to one refused for what it asks (an unknown order, a business rule).
 */
export function isRefusedRequest(err: unknown): boolean {
  return (err instanceof HttpError && err.status >= 400 && err.status < 500) || err instanceof ValidationError;
}
