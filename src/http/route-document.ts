import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { ErrorTable } from './errors';
import { errorBodySchema, meaningIn, statusIn } from './errors';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** A route's path parameters: an object schema (each names a segment). */
export type Params = z.ZodObject | undefined;
/** Any other part of a request: query, headers, body. */
export type Part = z.ZodType | undefined;

/** What every operation of one document shares. */
export interface OperationDocumentOptions<C extends string> {
  /** The app's error table: the status of each code, and what it means. */
  errors: ErrorTable<C>;
  /** Headers every request may carry and every answer carries (the API's X-Request-Id). */
  commonHeaders?: { request: z.ZodObject; response: z.ZodObject };
}

/** A route as its document entry sees it. */
export interface OperationDescription<C extends string> {
  method: Method;
  path: string;
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  request?: { params?: Params; query?: Part; headers?: Params; body?: Part };
  responses: Record<number, ResponseConfig>;
  security: Record<string, string[]>[];
  errorCodes: readonly C[];
}

/** Registers one operation: its parameters, body, success answers and one error answer per status it can give. */
export function registerOperation<C extends string>(registry: OpenAPIRegistry, operation: OperationDescription<C>, options: OperationDocumentOptions<C>): void {
  const { request = {}, description } = operation;
  const common = options.commonHeaders;
  const responses = Object.fromEntries(
    Object.entries({ ...operation.responses, ...errorResponses(operation.errorCodes, options.errors) }).map(([status, response]) => [
      status,
      common ? withHeaders(response, common.response) : response,
    ]),
  );
  const headers = z.object({ ...canonicalNames(request.headers?.shape ?? {}), ...common?.request.shape });
  const body = request.body;
  registry.registerPath({
    method: operation.method,
    path: operation.path,
    operationId: operation.operationId,
    tags: operation.tags,
    summary: operation.summary,
    ...(description ? { description } : {}),
    security: operation.security,
    request: {
      ...(request.params ? { params: request.params } : {}),
      ...(request.query ? { query: request.query as z.ZodObject } : {}),
      ...(Object.keys(headers.shape).length > 0 ? { headers } : {}),
      ...(body ? { body: { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: body } } } } : {}),
    },
    responses,
  });
}

/** `idempotency-key` → `Idempotency-Key`: the document names headers as clients write them, whatever the schema's keys. */
function canonicalNames(shape: Record<string, z.ZodType>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()), schema]));
}

/** The answer with `common` after its own headers. */
function withHeaders(response: ResponseConfig, common: z.ZodObject): ResponseConfig {
  const own = response.headers;
  if (own === undefined) return { ...response, headers: common };
  return own instanceof z.ZodObject ? { ...response, headers: own.extend(common.shape) } : response;
}

/**
 * One error answer per status, its `error` narrowed to the codes the route answers with that status. The
 * description lists the codes with what each means (`code`: meaning; …) where the table says so.
 */
function errorResponses<C extends string>(codes: readonly C[], table: ErrorTable<C>): Record<number, ResponseConfig> {
  const byStatus = new Map<number, C[]>();
  for (const code of codes) {
    const status = statusIn(table, code)!;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, [first, ...rest]] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [first, ...rest];
    const described = list.map((code) => [code, meaningIn(table, code)] as const);
    // A meaning may hold commas: codes with meanings are separated by semicolons.
    const separator = described.some(([, meaning]) => meaning) ? '; ' : ', ';
    responses[status] = {
      description: described.map(([code, meaning]) => (meaning ? `\`${code}\`: ${meaning}` : `\`${code}\``)).join(separator),
      content: { 'application/json': { schema: errorBodySchema.extend({ error: z.enum([first, ...rest]) }) } },
    };
  }
  return responses;
}
