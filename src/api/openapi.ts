import type { Route } from '../http/route';
import { buildOpenApiDocument } from '../http/openapi';
import { REQUEST_ID_HEADERS } from '../http/request-id';
import type { ErrorCode } from './error-codes';
import { ERROR_CODES } from './error-codes';

/** The API's OpenAPI 3.1 document of `routes`; `serverUrl` is where clients reach it (PUBLIC_BASE_URL). */
export function apiDocument(routes: readonly Route<never, ErrorCode>[], options: { serverUrl?: string } = {}) {
  return buildOpenApiDocument({
    routes,
    errors: ERROR_CODES,
    commonHeaders: REQUEST_ID_HEADERS,
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
