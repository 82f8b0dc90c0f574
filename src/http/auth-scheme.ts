import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Context } from 'koa';

export type SecuritySchemeObject = Parameters<OpenAPIRegistry['registerComponent']>[2];

/**
 * One way of proving who calls a route. `P` is the principal the route's handler receives; `D` what the scheme reads
 * when the routes are mounted (secrets, keys). A route names its scheme; everything else comes from here.
 */
export interface AuthScheme<P, D = unknown, C extends string = string> {
  /** Built once per mounted route: checks the request and returns its principal, or throws (401/403). */
  authenticate(deps: D): (ctx: Context) => P | Promise<P>;
  /** components.securitySchemes this scheme relies on (none for public routes). */
  securitySchemes: Record<string, SecuritySchemeObject>;
  /** The operation's `security`: alternatives, any one of which admits the caller; `[]` for public routes. */
  security: Record<string, string[]>[];
  /** What the scheme answers with when it refuses a request; added to every route using it. */
  errors: readonly C[];
}

/** Types a scheme from its definition: its principal follows from `authenticate`. */
const authScheme = <P, D = unknown, C extends string = never>(scheme: AuthScheme<P, D, C>) => scheme;

/** Anyone. */
export const PUBLIC = authScheme({
  authenticate: () => () => ({ kind: 'anonymous' as const }),
  securitySchemes: {},
  security: [],
  errors: [],
});

declare module 'koa' {
  interface DefaultState {
    /** Who is calling: set by the route's auth scheme before its handler runs. */
    principal?: unknown;
  }
}
