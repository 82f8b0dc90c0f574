import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ApiRoute } from '../define-route';
import { registerRoutes } from '../define-route';

/**
 * The OpenAPI 3.1 document of `routes`, generated from their declarations (the zod schemas they parse requests with,
 * their responses, auth schemes and error codes). Built on first request and kept: it only changes with the code.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute<never>[], options: { serverUrl?: string } = {}) {
  const registry = new OpenAPIRegistry();
  registerRoutes(registry, routes);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'order-saga API',
      version: '0.1.0',
      description:
        'Orders run as Temporal sagas: reserve stock, charge, wait for the payment webhook, confirm or compensate. ' +
        'Every error is `{ error, message, details? }`; every answer carries X-Request-Id. Each order links its saga in ' +
        'the Temporal Web UI (`temporalUiUrl`).',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'orders', description: 'Place, read and cancel orders' },
      { name: 'catalog', description: 'Products and stock' },
      { name: 'webhooks', description: 'Called by the payment provider' },
      { name: 'admin', description: 'Operator endpoints (admin bearer token)' },
      { name: 'operability', description: 'Health, metrics and this documentation' },
    ],
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
