import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseRequest } from '../../api/error-middleware';
import { NotFoundError } from '../../errors';
import type { SimulatorErrorCode } from './errors';
import { SIMULATOR_ERROR_STATUS } from './errors';

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * One route of the simulator, declared once: the Koa route, the request parsing and the OpenAPI operation all come
 * from it. Paths are written the OpenAPI way (`/v1/payments/{id}`); header names in lower case.
 */
export interface SimulatorRoute<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, H extends Schema = Schema> {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  responses: Record<number, ResponseConfig>;
  /** The error codes its handler answers with; validation_failed (query, headers, body), not_found (params), the body parser's and internal_error are added. */
  errors?: SimulatorErrorCode[];
  handler(ctx: Context, input: { params: Parsed<P>; query: Parsed<Q>; headers: Parsed<H>; body: Parsed<B> }): void | Promise<void>;
}

// The list of routes holds routes of every shape; each is checked against its own schemas where it is declared.
export type AnySimulatorRoute = SimulatorRoute<any, any, any, any>;

/** Types a route's handler from its schemas. */
export function simulatorRoute<P extends Schema, Q extends Schema, B extends Schema, H extends Schema>(
  route: SimulatorRoute<P, Q, B, H>,
): SimulatorRoute<P, Q, B, H> {
  return route;
}

/** Answers `body`; a replay of an earlier request with the same key says so, as Stripe does. */
export function answer(ctx: Context, status: number, body: unknown, replayed = false): void {
  ctx.status = status;
  ctx.body = body;
  if (replayed) ctx.set('Idempotent-Replayed', 'true');
}

const koaPath = (path: string) => path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

/** Mounts each route on `router`, parsing params, headers, query and body (in that order) before its handler. */
export function mountSimulatorRoutes(router: Router, routes: readonly AnySimulatorRoute[]): void {
  for (const route of routes) {
    router[route.method](koaPath(route.path), async (ctx) => {
      const parse = (schema: Schema, value: unknown, part: string) => (schema ? parseRequest(schema, value, part) : undefined);
      const params = route.params ? parseParams(route.params, ctx.params) : undefined;
      const headers = parse(route.headers, headerValues(route.headers, ctx), 'headers');
      const query = parse(route.query, ctx.query, 'query');
      const body = parse(route.body, ctx.request.body, 'body');
      await route.handler(ctx, { params, headers, query, body });
    });
  }
}

/** A path whose parameters fail their schema names nothing: 404, like any unknown id. */
function parseParams(schema: z.ZodType, params: Record<string, string>): unknown {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new NotFoundError('resource', Object.values(params).join('/'));
  return parsed.data;
}

/** The declared headers only; an empty header counts as missing. */
function headerValues(schema: Schema, ctx: Context): Record<string, string | undefined> {
  const names = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return Object.fromEntries(names.map((name) => [name, ctx.get(name) || undefined]));
}

/** `idempotency-key` → `Idempotency-Key`, as clients write it and the document names it. */
const canonicalHeader = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

const errorBody = z.object({
  error: z.string().describe('a stable machine-readable code'),
  message: z.string().describe('for people; may change'),
  details: z.unknown().optional(),
});

/** Registers a route's operation: its parameters, body, success answers and one error answer per status it can give. */
export function registerSimulatorRoute(registry: OpenAPIRegistry, route: AnySimulatorRoute): void {
  const codes = new Set<SimulatorErrorCode>(route.errors ?? []);
  if (route.params) codes.add('not_found');
  if (route.query || route.headers || route.body) codes.add('validation_failed');
  codes.add('internal_error');
  if (route.body) for (const c of ['invalid_json', 'payload_too_large', 'unsupported_media_type'] as const) codes.add(c);
  const byStatus = new Map<number, SimulatorErrorCode[]>();
  for (const code of codes) byStatus.set(SIMULATOR_ERROR_STATUS[code], [...(byStatus.get(SIMULATOR_ERROR_STATUS[code]) ?? []), code]);
  const errors: Record<number, ResponseConfig> = {};
  for (const [status, list] of byStatus) {
    const [first, ...rest] = list;
    errors[status] = {
      description: list.map((c) => `\`${c}\``).join(', '),
      content: { 'application/json': { schema: errorBody.extend({ error: z.enum([first, ...rest]) }) } },
    };
  }
  const headers =
    route.headers instanceof z.ZodObject
      ? z.object(Object.fromEntries(Object.entries(route.headers.shape as Record<string, z.ZodType>).map(([n, s]) => [canonicalHeader(n), s])))
      : undefined;
  registry.registerPath({
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: [],
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(headers ? { headers } : {}),
      ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    },
    responses: { ...route.responses, ...errors },
  });
}

/** A JSON success answer. */
export function json(description: string, schema: z.ZodType, headers?: z.ZodObject): ResponseConfig {
  return { description, content: { 'application/json': { schema } }, ...(headers ? { headers } : {}) };
}
