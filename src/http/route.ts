import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { NotFoundError } from '../errors';
import { parseInput } from '../validation';
import type { AuthScheme, SecuritySchemeObject } from './auth-scheme';
import type { ToolkitErrorCode } from './errors';
import { BODY_ERRORS } from './errors';
import type { Method, OperationDocumentOptions, Params, Part } from './route-document';
import { registerOperation } from './route-document';

declare module 'koa' {
  interface DefaultState {
    /** The pattern of the route serving this request (`/orders/:id`), set before anything of the route runs. */
    route?: string;
  }
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The auth schemes an app's routes may name, by name. */
export type AuthSchemes = Record<string, AuthScheme<any, any, string>>;
type PrincipalOf<S extends AuthScheme<any, any, string>> = Awaited<ReturnType<ReturnType<S['authenticate']>>>;
type SchemeDeps<S> = S extends AuthScheme<any, infer D, string> ? D : never;

/** What a handler receives: every declared request part, parsed once, and who is calling. */
export interface RouteInput<P, Q, H, B, Who> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
  principal: Who;
}

export interface RouteSpec<D, P extends Params, Q extends Part, H extends Params, B extends Part, A extends string, Who, C extends string> {
  method: Method;
  /** OpenAPI style: `/orders/{id}`. */
  path: string;
  operationId: string;
  /** Who may call it: a scheme of the app's auth schemes (`'public'` for anyone). */
  auth: A;
  tags: string[];
  summary: string;
  description?: string;
  request?: {
    /** A path parameter that fails this schema names nothing: 404 `not_found` (see `resource`). */
    params?: P;
    query?: Q;
    /** Read case-insensitively; the document spells them as clients do (`Idempotency-Key`). */
    headers?: H;
    /** JSON body; it is optional when the schema accepts `undefined` (e.g. has a default). */
    body?: B;
  };
  /** What the path names, for the 404 message of a malformed id: `order <id> was not found`. */
  resource?: string;
  /** Success answers by status (see `json()`). */
  responses: Record<number, ResponseConfig>;
  /**
   * Error codes the handler can answer with (statuses from the app's error table). Those of the body parser, of the
   * declared query/headers (validation_failed), of a params 404, of the auth scheme and 500 are added by themselves.
   */
  errors?: readonly C[];
  /** Middleware run around everything else (auth included), e.g. outcome counters. */
  middleware?: (deps: D) => Middleware[];
  /** The body it returns (if not undefined) is the answer; set ctx.status/headers on ctx. */
  handler: (input: RouteInput<P, Q, H, B, Who>, ctx: Context, deps: D) => unknown;
}

/** A declared route: mounted on a Koa router with its dependencies, and registered in an OpenAPI document. */
export interface Route<D, C extends string = string> {
  readonly method: Method;
  readonly path: string;
  readonly operationId: string;
  /** The security schemes it relies on (components.securitySchemes). */
  readonly securitySchemes: Record<string, SecuritySchemeObject>;
  /** Every code it can answer with: its own, and those its request parts and auth scheme bring. */
  readonly errorCodes: readonly C[];
  /** The Koa middleware chain of this route. */
  middleware(deps: D): Middleware[];
  register(registry: OpenAPIRegistry, options: OperationDocumentOptions<C>): void;
}

/**
 * The route declarer of an app whose routes name schemes of `schemes` and answer codes `C`: each declaration gives
 * the Koa route, its request parsing, its typed handler and its OpenAPI entry.
 */
export function routeDeclarer<S extends AuthSchemes, C extends string = ToolkitErrorCode>(schemes: S) {
  return function defineRoute<
    D = unknown,
    P extends Params = undefined,
    Q extends Part = undefined,
    H extends Params = undefined,
    B extends Part = undefined,
    A extends keyof S & string = keyof S & string,
  >(spec: RouteSpec<D, P, Q, H, B, A, PrincipalOf<S[A]>, C>): Route<D & SchemeDeps<S[A]>, C | ToolkitErrorCode> {
    const scheme = schemes[spec.auth];
    const { request = {} } = spec;
    const errorCodes = routeErrorCodes(spec, scheme.errors as readonly C[]);
    return {
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      securitySchemes: scheme.securitySchemes,
      errorCodes,
      middleware: (deps) => {
        const authenticate = scheme.authenticate(deps) as (ctx: Context) => unknown;
        const handle: Middleware = async (ctx) => {
          const principal = await authenticate(ctx);
          ctx.state.principal = principal;
          const input = {
            params: request.params && parseParams(request.params, ctx, spec.resource),
            query: request.query && parseInput(request.query, ctx.query, 'query'),
            headers: request.headers && parseInput(request.headers, headersOf(request.headers, ctx), 'headers'),
            body: request.body && parseInput(request.body, ctx.request.body, 'body'),
            principal,
          } as RouteInput<P, Q, H, B, PrincipalOf<S[A]>>;
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
      register: (registry, options) => registerOperation(registry, { ...spec, security: scheme.security, errorCodes }, options),
    };
  };
}

/** Every code a route can answer with: its auth scheme's, those its request parts bring, its own, and 500. */
function routeErrorCodes<C extends string>(spec: { request?: { params?: Params; query?: Part; headers?: Params; body?: Part }; errors?: readonly C[] }, authErrors: readonly C[]) {
  const { request = {} } = spec;
  const codes = new Set<C | ToolkitErrorCode>(authErrors);
  if (request.params) codes.add('not_found');
  if (request.query || request.headers) codes.add('validation_failed');
  if (request.body) BODY_ERRORS.forEach((code) => codes.add(code));
  spec.errors?.forEach((code) => codes.add(code));
  codes.add('internal_error');
  return [...codes];
}

/** Mounts routes on one router; `deps` is what their handlers (and auth schemes) need. */
export function routerFor<D>(routes: readonly Route<D, string>[], deps: D): Router {
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
  return { description, content: { 'application/json': { schema } }, ...(headers ? { headers } : {}) };
}

/** A success answer that is not JSON (a page, a script, metrics text): a string of the given media type. */
export function text(description: string, mediaType: string): ResponseConfig {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}
