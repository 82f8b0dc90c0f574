import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ReadinessReport } from '../readiness';
import type { AuthScheme } from './auth-scheme';
import { PUBLIC } from './auth-scheme';
import { HttpError } from './errors';
import { json, routeDeclarer, routerFor, text } from './route';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The scraper: `Authorization: Bearer <METRICS_TOKEN>` when a token is configured (production requires one), anyone
 * otherwise. Digests are compared, so neither the time taken nor the length tells a caller how close it got.
 */
const METRICS_SCRAPER: AuthScheme<{ kind: 'scraper' }, Pick<OpsDeps, 'metricsToken'>, 'unauthorized'> = {
  authenticate: ({ metricsToken }) => {
    if (!metricsToken) return () => ({ kind: 'scraper' });
    const expected = sha256(`Bearer ${metricsToken}`);
    return (ctx) => {
      if (!timingSafeEqual(sha256(ctx.get('authorization')), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, 'unauthorized', 'metrics need Authorization: Bearer <METRICS_TOKEN>');
      }
      return { kind: 'scraper' };
    };
  },
  securitySchemes: {
    metricsToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <METRICS_TOKEN>`, when METRICS_TOKEN is set (production requires it)' },
  },
  // Either: with no METRICS_TOKEN configured (locally) the route is open.
  security: [{ metricsToken: [] }, {}],
  errors: ['unauthorized'],
};

const defineRoute = routeDeclarer<{ public: typeof PUBLIC; metrics: typeof METRICS_SCRAPER }, 'unauthorized'>({ public: PUBLIC, metrics: METRICS_SCRAPER });

/** What the operability routes need; the API and the worker's ops port both serve them. */
export interface OpsDeps {
  /** PostgreSQL and Temporal, each with a timeout. */
  readiness: () => Promise<ReadinessReport>;
  registry: Registry;
  /** Appended to /metrics (the worker adds the Temporal SDK's own metrics), so one scrape covers the process. */
  moreMetrics?: () => Promise<string>;
  /** METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken?: string;
}

const check = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.enum(['unavailable', 'timeout']).describe('never the driver\'s own error text') }),
]);
const readinessChecks = z.object({ postgres: check, temporal: check }).meta({ id: 'ReadinessChecks' });

type Fits<Actual, Documented> = Actual extends Documented ? true : never;
const checksAreDocumented: Fits<ReadinessReport['checks'], z.infer<typeof readinessChecks>> = true;
void checksAreDocumented;

export const opsRoutes = [
  // Liveness: the process answers. Nothing external is consulted, so a database outage does not restart us.
  defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'getLiveness',
    auth: 'public',
    tags: ['operability'],
    summary: 'Liveness: the process answers (nothing external is consulted)',
    responses: { 200: json('Alive', z.object({ status: z.literal('ok') })) },
    handler: () => ({ status: 'ok' }),
  }),

  // Readiness: PostgreSQL and Temporal both answer; otherwise 503 naming the one that does not.
  defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    auth: 'public',
    tags: ['operability'],
    summary: 'Readiness: PostgreSQL and Temporal answer within 2 s',
    responses: {
      200: json('Ready', z.object({ status: z.literal('ready'), checks: readinessChecks })),
      503: json(
        '`not_ready`: PostgreSQL or Temporal does not answer; details name which',
        z.object({ error: z.literal('not_ready'), message: z.string(), details: readinessChecks }),
      ),
    },
    handler: async (_, ctx, { readiness }: Pick<OpsDeps, 'readiness'>) => {
      const report = await readiness();
      const failing = Object.entries(report.checks)
        .filter(([, c]) => !c.ok)
        .map(([name]) => name);
      ctx.status = report.ready ? 200 : 503;
      return report.ready
        ? { status: 'ready', checks: report.checks }
        : { error: 'not_ready', message: `not answering: ${failing.join(', ')}`, details: report.checks };
    },
  }),

  defineRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    auth: 'metrics',
    tags: ['operability'],
    summary: 'Prometheus metrics (text exposition format); with METRICS_TOKEN set, for its bearer only',
    responses: {
      200: text('http_request_duration_seconds, orders_placed_total, webhooks_received_total, Node process metrics', 'text/plain'),
    },
    handler: async (_, ctx, { registry, moreMetrics }: Pick<OpsDeps, 'registry' | 'moreMetrics'>) => {
      const [own, extra] = await Promise.all([registry.metrics(), moreMetrics?.() ?? Promise.resolve('')]);
      ctx.type = registry.contentType;
      return extra ? `${own}\n${extra}` : own;
    },
  }),
];

/** /healthz, /readyz and /metrics on one router (the worker's ops port serves exactly these). */
export function opsRouter(deps: OpsDeps): Router {
  return routerFor(opsRoutes, deps);
}
