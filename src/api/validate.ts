import type { z } from 'zod';
import { HttpError, zodDetails } from './error-middleware';

/**
 * Parses one part of a request (body, query, params, headers) once, at the boundary.
 * Failures are 400 `validation_failed` with the zod issues, prefixed by the part's name.
 */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(
      400,
      'validation_failed',
      `the request ${part} is not valid`,
      zodDetails(result.error).map((d) => ({ ...d, path: d.path ? `${part}.${d.path}` : part })),
    );
  }
  return result.data;
}
