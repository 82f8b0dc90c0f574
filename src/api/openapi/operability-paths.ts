import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { ReadinessReport } from '../../readiness';
import { DOCS_ASSETS } from '../routes/docs';
import { errorBodySchema } from './errors';
import { json, registerRoute } from './route';

const check = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);
const readinessChecks = z.object({ postgres: check, temporal: check }).meta({ id: 'ReadinessChecks' });

type Fits<Actual, Documented> = Actual extends Documented ? true : never;
const checksAreDocumented: Fits<ReadinessReport['checks'], z.infer<typeof readinessChecks>> = true;
void checksAreDocumented;

const text = (description: string, mediaType: string) => ({
  description,
  content: { [mediaType]: { schema: z.string() } },
});

/** Health, metrics and the documentation itself: the routes operators and tools use. */
export function registerOperabilityPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, {
    method: 'get',
    path: '/healthz',
    tags: ['operability'],
    summary: 'Liveness: the process answers (nothing external is consulted)',
    responses: { 200: json('Alive', z.object({ status: z.literal('ok') })) },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/readyz',
    tags: ['operability'],
    summary: 'Readiness: PostgreSQL and Temporal answer within 2 s',
    responses: {
      200: json('Ready', z.object({ status: z.literal('ready'), checks: readinessChecks })),
      503: json(
        '`not_ready`: PostgreSQL or Temporal does not answer; details name which',
        errorBodySchema.extend({ error: z.literal('not_ready'), details: readinessChecks }),
      ),
    },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/metrics',
    tags: ['operability'],
    summary: 'Prometheus metrics (text exposition format)',
    responses: {
      200: text(
        'http_request_duration_seconds, orders_placed_total, webhooks_received_total, Node process metrics',
        'text/plain',
      ),
    },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/openapi.json',
    tags: ['operability'],
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: json('The OpenAPI document', z.record(z.string(), z.unknown())) },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/docs',
    tags: ['operability'],
    summary: 'Interactive API reference (Swagger UI)',
    responses: { 200: text('An HTML page that loads /openapi.json', 'text/html') },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/docs/{asset}',
    tags: ['operability'],
    summary: 'A static file of the API reference page',
    request: { params: z.object({ asset: z.enum(DOCS_ASSETS) }) },
    responses: { 200: { description: 'The file (CSS, JavaScript or PNG)' } },
    errors: { 404: ['not_found'] },
  });
}
