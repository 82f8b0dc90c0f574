import { createReadStream } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { NotFoundError } from '../../errors';

/**
 * The interactive API reference: Swagger UI from the swagger-ui-dist package (no CDN: the page must work offline),
 * pointed at /openapi.json. Only the listed files are served, so no path can reach beyond the package.
 */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

/** The files of swagger-ui-dist the page loads, plus our initializer (generated: it names our document). */
export const DOCS_ASSETS = [
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

const page = (title: string) => `<!doctype html>
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

/** Serves `document()` as /openapi.json and Swagger UI on /docs (the API's, and the payment simulator's). */
export function docsRoutes(document: () => unknown, { title = 'order-saga API' }: { title?: string } = {}): Router {
  const router = new Router();
  const assets = new Set<string>(DOCS_ASSETS);
  const html = page(title);

  router.get('/openapi.json', (ctx) => {
    ctx.body = document();
  });

  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html;
  });

  router.get('/docs/:asset', (ctx) => {
    const { asset } = ctx.params;
    if (!assets.has(asset)) throw new NotFoundError('documentation file', asset);
    ctx.type = CONTENT_TYPES[path.extname(asset)] ?? 'application/octet-stream';
    // The files change only with the package version; an hour keeps reloads fast without pinning a stale UI.
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset === 'swagger-initializer.js' ? INITIALIZER : createReadStream(path.join(SWAGGER_UI_DIR, asset));
  });

  return router;
}
