import { z } from 'zod';
import { text } from '../../api/define-route';
import { DOCS_ASSETS, docsAsset, docsPage } from '../../api/routes/docs';
import type { AnySimulatorRoute } from '../http/route';
import { json, simulatorRoute } from '../http/route';

const PAGE = docsPage('order-saga payment simulator');

/** The simulator's reference: its OpenAPI document and the same Swagger UI page the API serves. */
export function docsRoutes(document: () => unknown): AnySimulatorRoute[] {
  return [
    simulatorRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      tag: 'operability',
      summary: 'This document (OpenAPI 3.1)',
      responses: { 200: json('The OpenAPI document', z.record(z.string(), z.unknown())) },
      handler: (ctx) => {
        ctx.body = document();
      },
    }),
    simulatorRoute({
      method: 'get',
      path: '/docs',
      operationId: 'getDocsPage',
      tag: 'operability',
      summary: 'This reference, in Swagger UI',
      responses: { 200: text('An HTML page that loads /openapi.json', 'text/html') },
      handler: (ctx) => {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE;
      },
    }),
    simulatorRoute({
      method: 'get',
      path: '/docs/{asset}',
      operationId: 'getDocsAsset',
      tag: 'operability',
      summary: "A static file of the reference page",
      params: z.object({ asset: z.enum(DOCS_ASSETS) }),
      responses: { 200: { description: 'The file (CSS, JavaScript or PNG)' } },
      errors: ['not_found'],
      handler: (ctx, { params }) => {
        ctx.body = docsAsset(params.asset, ctx);
      },
    }),
  ];
}
