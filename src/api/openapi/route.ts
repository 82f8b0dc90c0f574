import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { REQUEST_ID_HEADER, SANE_REQUEST_ID } from '../request-id';
import type { ErrorCodes } from './errors';
import { ADMIN_ERRORS, COMMON_ERRORS, errorResponses, mergeErrors } from './errors';

/** The name of the admin bearer security scheme (components.securitySchemes). */
export const ADMIN_SECURITY = 'adminToken';

export function registerSecuritySchemes(registry: OpenAPIRegistry): void {
  // The Authorization header is described here rather than as a parameter: OpenAPI ignores header parameters
  // named Authorization, and tools (Swagger UI's "Authorize" button) read security schemes.
  registry.registerComponent('securitySchemes', ADMIN_SECURITY, {
    type: 'http',
    scheme: 'bearer',
    description: '`Authorization: Bearer <ADMIN_TOKEN>` (config ADMIN_TOKEN; `dev-admin-token` locally)',
  });
}

const requestIdRequestHeader = z
  .string()
  .regex(SANE_REQUEST_ID)
  .optional()
  .describe('Echoed back and logged with every line of this request; a missing or unusable one is replaced by a UUID');
const requestIdResponseHeaders = z.object({
  [REQUEST_ID_HEADER]: z.string().describe('The request id this request was logged under'),
});

export interface RouteDefinition extends Omit<RouteConfig, 'request' | 'responses'> {
  request?: Omit<NonNullable<RouteConfig['request']>, 'headers'>;
  /** Request headers besides X-Request-Id, by their canonical names. */
  headers?: Record<string, z.ZodType>;
  /** Success answers. */
  responses: Record<number, ResponseConfig>;
  /** Error answers by status; 500 is added to every route. */
  errors?: ErrorCodes;
  /** Admin routes: Authorization: Bearer <ADMIN_TOKEN>, and 401. */
  admin?: boolean;
}

/** Registers one operation with what every route of this API shares: X-Request-Id, the error body, 500. */
export function registerRoute(
  registry: OpenAPIRegistry,
  { headers = {}, errors = {}, admin = false, responses, request, ...rest }: RouteDefinition,
): void {
  const allErrors = mergeErrors(errors, admin ? ADMIN_ERRORS : {}, COMMON_ERRORS);
  const all: Record<string, ResponseConfig> = { ...responses, ...errorResponses(allErrors) };
  for (const response of Object.values(all)) response.headers ??= requestIdResponseHeaders;
  registry.registerPath({
    ...rest,
    ...(admin ? { security: [{ [ADMIN_SECURITY]: [] }] } : {}),
    request: { ...request, headers: z.object({ ...headers, [REQUEST_ID_HEADER]: requestIdRequestHeader }) },
    responses: all,
  });
}

/** A JSON success answer. */
export function json(description: string, schema: z.ZodType, headers?: z.ZodObject): ResponseConfig {
  return {
    description,
    content: { 'application/json': { schema } },
    ...(headers ? { headers: headers.extend(requestIdResponseHeaders.shape) } : {}),
  };
}
