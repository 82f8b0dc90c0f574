import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Context } from 'koa';
import { z } from 'zod';
import { PUBLIC } from './auth-scheme';
import { json, routeDeclarer, text } from './route';

/**
 * The interactive reference of an app's OpenAPI document: Swagger UI from the swagger-ui-dist package (no CDN: the
 * page must work offline), pointed at /openapi.json. Only the listed files are served, so no path can reach beyond
 * the package.
 */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

/** The files of swagger-ui-dist the page loads, plus our initializer (generated: it names our document). */
const DOCS_ASSETS = [
  'swagger-ui.css',
  'index.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
  'swagger-initializer.js',
] as const;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

/** The Swagger UI page (the API's reference, and the payment simulator's own). */
const docsPage = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

/** Answers one of DOCS_ASSETS: its content type, a cache header, and the file (or the generated initializer). */
function docsAsset(asset: (typeof DOCS_ASSETS)[number], ctx: Context): unknown {
  ctx.type = CONTENT_TYPES[path.extname(asset)] ?? 'application/octet-stream';
  // The files change only with the package version; an hour keeps reloads fast without pinning a stale UI.
  ctx.set('Cache-Control', 'public, max-age=3600');
  return asset === 'swagger-initializer.js' ? INITIALIZER : createReadStream(path.join(SWAGGER_UI_DIR, asset));
}

/** What the documentation routes serve: the document of the routes this app mounts. */
export interface DocsDeps {
  openApiDocument: () => unknown;
}

/** How an app names its reference in its own document. */
export interface ReferenceNames {
  /** The page's title. */
  title: string;
  page: { operationId: string; summary: string };
  asset: { operationId: string; summary: string; resource?: string };
}

const defineRoute = routeDeclarer({ public: PUBLIC });

/** An app's reference: GET /openapi.json (its document), GET /docs (Swagger UI on it) and the page's files. */
export function docsRoutes(names: ReferenceNames) {
  const page = docsPage(names.title);
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      auth: 'public',
      tags: ['operability'],
      summary: 'This document (OpenAPI 3.1)',
      responses: { 200: json('The OpenAPI document', z.record(z.string(), z.unknown())) },
      handler: (_, _ctx, { openApiDocument }: DocsDeps) => openApiDocument(),
    }),

    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: names.page.operationId,
      auth: 'public',
      tags: ['operability'],
      summary: names.page.summary,
      responses: { 200: text('An HTML page that loads /openapi.json', 'text/html') },
      handler: (_, ctx) => {
        ctx.type = 'text/html; charset=utf-8';
        return page;
      },
    }),

    defineRoute({
      method: 'get',
      path: '/docs/{asset}',
      operationId: names.asset.operationId,
      auth: 'public',
      tags: ['operability'],
      summary: names.asset.summary,
      request: { params: z.object({ asset: z.enum(DOCS_ASSETS) }) },
      resource: names.asset.resource,
      responses: { 200: { description: 'The file (CSS, JavaScript or PNG)' } },
      handler: ({ params: { asset } }, ctx) => docsAsset(asset, ctx),
    }),
  ];
}
