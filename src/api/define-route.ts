import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { NotFoundError } from '../errors';
import type { AuthDeps, AuthName, Principal } from './auth';
import { AUTH_SCHEMES } from './auth';
import type { ErrorCode } from './error-codes';
import { BODY_ERRORS, ERROR_CODES } from './error-codes';
import { REQUEST_ID_HEADER, SANE_REQUEST_ID } from './request-id';
import { parseRequest } from './error-middleware';

declare module 'koa' {
  interface DefaultState {
    /** The pattern of the route serving this request (`/orders/:id`), set before anything of the route runs. */
    route?: string;
  }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type Params = z.ZodObject | undefined;
type Part = z.ZodType | undefined;

/** What a handler receives: every declared request part, parsed once, and who is calling. */
export interface RouteInput<P, Q, H, B, A extends AuthName> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
  principal: Principal<A>;
}

export interface RouteSpec<D, P extends Params, Q extends Part, H extends Params, B extends Part, A extends AuthName> {
  method: Method;
  /** OpenAPI style: `/orders/{id}`. */
  path: string;
  operationId: string;
  /** Who may call it: a scheme of AUTH_SCHEMES (`'public'` for anyone). */
  auth: A;
  tags: string[];
  summary: string;
  description?: string;
  request?: {
    /** A path parameter that fails this schema names nothing: 404 `not_found` (see `resource`). */
    params?: P;
    query?: Q;
    /** By their canonical names (`Idempotency-Key`); read case-insensitively. */
    headers?: H;
    /** JSON body; it is optional when the schema accepts `undefined` (e.g. has a default). */
    body?: B;
  };
  /** What the path names, for the 404 message of a malformed id: `order <id> was not found`. */
  resource?: string;
  /** Success answers by status (see `json()`). */
  responses: Record<number, ResponseConfig>;
  /**
   * Error codes the handler can answer with (statuses from ERROR_CODES). Those of the body parser, of the declared
   * query/headers (validation_failed), of a params 404, of the auth scheme and 500 are added by themselves.
   */
  errors?: readonly ErrorCode[];
  /** Middleware run around everything else (auth included), e.g. outcome counters. */
  middleware?: (deps: D) => Middleware[];
  /** The body it returns (if not undefined) is the answer; set ctx.status/headers on ctx. */
  handler: (input: RouteInput<P, Q, H, B, A>, ctx: Context, deps: D) => unknown;
}

/** A declared route: mounted on a Koa router with its dependencies, and registered in the OpenAPI document. */
export interface ApiRoute<D> {
  readonly method: Method;
  readonly path: string;
  readonly operationId: string;
  readonly auth: AuthName;
  /** The Koa middleware chain of this route. */
  middleware(deps: D): Middleware[];
  register(registry: OpenAPIRegistry): void;
}

/** Declares one operation: its Koa route, request parsing, typed handler and OpenAPI entry all come from here. */
export function defineRoute<
  D = unknown,
  P extends Params = undefined,
  Q extends Part = undefined,
  H extends Params = undefined,
  B extends Part = undefined,
  A extends AuthName = AuthName,
>(spec: RouteSpec<D, P, Q, H, B, A>): ApiRoute<A extends 'public' ? D : D & AuthDeps> {
  const { request = {} } = spec;
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    auth: spec.auth,
    middleware: (deps) => {
      const authenticate = AUTH_SCHEMES[spec.auth].authenticate(deps as AuthDeps) as (ctx: Context) => unknown;
      const handle: Middleware = async (ctx) => {
        const principal = await authenticate(ctx);
        ctx.state.principal = principal as Principal<AuthName>;
        const input = {
          params: request.params && parseParams(request.params, ctx, spec.resource),
          query: request.query && parseRequest(request.query, ctx.query, 'query'),
          headers: request.headers && parseRequest(request.headers, headersOf(request.headers, ctx), 'headers'),
          body: request.body && parseRequest(request.body, ctx.request.body, 'body'),
          principal,
        } as RouteInput<P, Q, H, B, A>;
        const answer = await spec.handler(input, ctx, deps as D);
        if (answer !== undefined) ctx.body = answer;
      };
      const route = koaPath(spec.path);
      const matched: Middleware = (ctx, next) => {
        ctx.state.route = route;
        return next();
      };
      return [matched, ...(spec.middleware?.(deps as D) ?? []), handle];
    },
    register: (registry) => registerOperation(registry, spec),
  };
}

/** Mounts routes on one router; `deps` is what their handlers (and auth schemes) need. */
export function routerFor<D>(routes: readonly ApiRoute<D>[], deps: D): Router {
  const router = new Router();
  for (const route of routes) {
    router.register(koaPath(route.path), [route.method.toUpperCase()], route.middleware(deps));
  }
  return router;
}

/** `/orders/{id}` → `/orders/:id`. */
export function koaPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

function parseParams(schema: z.ZodObject, ctx: Context, resource = 'resource') {
  const parsed = schema.safeParse(ctx.params);
  if (!parsed.success) throw new NotFoundError(resource, Object.values(ctx.params as Record<string, string>).join('/'));
  return parsed.data;
}

/** Node lower-cases header names; schemas name them as clients write them. */
function headersOf(schema: z.ZodObject, ctx: Context): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, ctx.headers[name.toLowerCase()]]));
}

/** A JSON success answer. */
export function json(description: string, schema: z.ZodType, headers?: z.ZodObject): ResponseConfig {
  return {
    description,
    content: { 'application/json': { schema } },
    ...(headers ? { headers: headers.extend(requestIdResponseHeaders.shape) } : {}),
  };
}

/** A success answer that is not JSON (a page, a script, metrics text): a string of the given media type. */
export function text(description: string, mediaType: string): ResponseConfig {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}

const errorBodySchema = z
  .object({
    error: z.string().describe('a stable machine-readable code'),
    message: z.string().describe('for people; may change'),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

const requestIdRequestHeader = z
  .string()
  .regex(SANE_REQUEST_ID)
  .optional()
  .describe('Echoed back and logged with every line of this request; a missing or unusable one is replaced by a UUID');
const requestIdResponseHeaders = z.object({
  [REQUEST_ID_HEADER]: z.string().describe('The request id this request was logged under'),
});

/** Every code a route can answer with: its own, and those its request parts and auth scheme bring. */
export function routeErrorCodes(spec: Pick<RouteSpec<never, Params, Part, Params, Part, AuthName>, 'errors' | 'request' | 'auth'>) {
  const { request = {} } = spec;
  const codes = new Set<ErrorCode>(AUTH_SCHEMES[spec.auth].errors);
  if (request.params) codes.add('not_found');
  if (request.query || request.headers) codes.add('validation_failed');
  if (request.body) BODY_ERRORS.forEach((code) => codes.add(code));
  spec.errors?.forEach((code) => codes.add(code));
  codes.add('internal_error');
  return [...codes];
}

/** One error answer per status, its `error` narrowed to the codes the route answers with that status. */
function errorResponses(codes: readonly ErrorCode[]): Record<number, ResponseConfig> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, [first, ...rest]] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [first, ...rest];
    responses[status] = {
      description: list.map((code) => `\`${code}\`: ${ERROR_CODES[code].meaning}`).join('; '),
      content: { 'application/json': { schema: errorBodySchema.extend({ error: z.enum([first, ...rest]) }) } },
    };
  }
  return responses;
}

function registerOperation(
  registry: OpenAPIRegistry,
  spec: RouteSpec<never, Params, Part, Params, Part, AuthName>,
): void {
  const { request = {} } = spec;
  const responses: Record<number, ResponseConfig> = { ...spec.responses, ...errorResponses(routeErrorCodes(spec)) };
  for (const response of Object.values(responses)) response.headers ??= requestIdResponseHeaders;
  const body = request.body;
  registry.registerPath({
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    tags: spec.tags,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: AUTH_SCHEMES[spec.auth].security,
    request: {
      ...(request.params ? { params: request.params } : {}),
      ...(request.query ? { query: request.query as z.ZodObject } : {}),
      headers: z.object({ ...request.headers?.shape, [REQUEST_ID_HEADER]: requestIdRequestHeader }),
      ...(body
        ? { body: { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: body } } } }
        : {}),
    },
    responses,
  });
}

/** The OpenAPI entries of `routes`, and the security schemes they use. */
export function registerRoutes(registry: OpenAPIRegistry, routes: readonly ApiRoute<never>[]): void {
  const used = new Set(routes.map((route) => route.auth));
  for (const name of used) {
    for (const [id, scheme] of Object.entries(AUTH_SCHEMES[name].securitySchemes)) {
      registry.registerComponent('securitySchemes', id, scheme);
    }
  }
  for (const route of routes) route.register(registry);
}
