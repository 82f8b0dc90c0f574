import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { ErrorTable } from './errors';
import type { Route } from './route';
import type { OperationDocumentOptions } from './route-document';

type DocumentObject = Parameters<OpenApiGeneratorV31['generateDocument']>[0];

export interface DocumentSpec<C extends string> extends Pick<OperationDocumentOptions<C>, 'commonHeaders'> {
  /** Every operation, in the document's order. */
  routes: readonly Route<never, C>[];
  errors: ErrorTable<C>;
  info: Omit<DocumentObject['info'], 'license'>;
  /** Where clients reach the app; by default the server the document is served from. */
  servers?: DocumentObject['servers'];
  tags: DocumentObject['tags'];
  /** Adds what no route declares (the webhooks an app sends). */
  extend?: (registry: OpenAPIRegistry) => void;
  /** Components no operation names (those of webhooks: the generator does not collect components from webhooks). */
  schemas?: z.ZodType[];
}

/** The project's licence (package.json). */
const LICENSE = { name: 'MIT', identifier: 'MIT' };

/**
 * The OpenAPI 3.1 document of an app, generated from its route declarations (the zod schemas they parse requests
 * with, their responses, auth schemes and error codes). Callers build it once and keep it: it changes with the code.
 */
export function buildOpenApiDocument<C extends string>(spec: DocumentSpec<C>) {
  const registry = new OpenAPIRegistry();
  const schemes = new Map(spec.routes.flatMap((route) => Object.entries(route.securitySchemes)));
  for (const [id, scheme] of schemes) registry.registerComponent('securitySchemes', id, scheme);
  for (const route of spec.routes) route.register(registry, { errors: spec.errors, commonHeaders: spec.commonHeaders });
  spec.extend?.(registry);
  const schemas = (spec.schemas ?? []).map((schema) => ({ type: 'schema' as const, schema }));
  return new OpenApiGeneratorV31([...registry.definitions, ...schemas]).generateDocument({
    openapi: '3.1.0',
    info: { ...spec.info, license: LICENSE },
    servers: spec.servers ?? [{ url: '/', description: 'the server this document is served from' }],
    tags: spec.tags,
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
