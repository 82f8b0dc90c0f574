import Router from '@koa/router';
import { requireAdmin } from '../api/admin-auth';
import type { ApiDeps } from '../api/deps';
import { parseRequest } from '../api/validate';
import { NotFoundError } from '../errors';
import { encodeKeysetCursor } from '../db/keyset-cursor';
import { toProductJson } from './product-json';
import { adjustStock, createProduct, findProduct, listActiveProducts, updateProduct } from './products';
import { createProductBody, listProductsQuery, stockAdjustmentBody, updateProductBody } from './request-schemas';

/**
 * The catalog over HTTP: admin endpoints (bearer token) to create products, edit them and adjust stock, and
 * public reads. Every response body that holds a product goes through toProductJson.
 */
export function catalogRoutes({ config, orm }: ApiDeps): Router {
  const router = new Router();
  const admin = requireAdmin(config.ADMIN_TOKEN);

  router.post('/admin/products', admin, async (ctx) => {
    const input = parseRequest(createProductBody, ctx.request.body, 'body');
    const product = await createProduct(orm.em.fork(), input);
    ctx.status = 201;
    ctx.set('Location', `/products/${product.id}`);
    ctx.body = toProductJson(product);
  });

  router.patch('/admin/products/:id', admin, async (ctx) => {
    const changes = parseRequest(updateProductBody, ctx.request.body, 'body');
    ctx.body = toProductJson(await updateProduct(orm.em.fork(), ctx.params.id, changes));
  });

  router.post('/admin/products/:id/stock-adjustments', admin, async (ctx) => {
    const { delta, reason } = parseRequest(stockAdjustmentBody, ctx.request.body, 'body');
    ctx.body = toProductJson(await adjustStock(orm.em.fork(), ctx.params.id, delta, reason));
  });

  router.get('/products', async (ctx) => {
    const query = parseRequest(listProductsQuery, ctx.query, 'query');
    const page = await listActiveProducts(orm.em.fork(), { limit: query.limit, after: query.cursor });
    ctx.body = { items: page.items.map(toProductJson), nextCursor: page.next ? encodeKeysetCursor(page.next) : null };
  });

  router.get('/products/:id', async (ctx) => {
    const product = await findProduct(orm.em.fork(), ctx.params.id);
    if (!product) throw new NotFoundError('product', ctx.params.id);
    ctx.body = toProductJson(product);
  });

  return router;
}
