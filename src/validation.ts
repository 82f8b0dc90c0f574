import type { z } from 'zod';
import { ValidationError } from './errors';

/** Turns a zod error into the `details` list clients get: where, and what was wrong. */
export function zodDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
}

/**
 * Parses one part of a request (body, query, params, headers, or an event a provider sent) once, at the boundary.
 * A failure is a ValidationError (`validation_failed`) with the zod issues, their paths prefixed by the part's name.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      `the request ${part} is not valid`,
      zodDetails(result.error).map((d) => ({ ...d, path: d.path ? `${part}.${d.path}` : part })),
    );
  }
  return result.data;
}
