import type { Context } from 'koa';
import { z } from 'zod';
import { productJsonSchema, productPageJsonSchema } from '../../catalog/response-schemas';
import { findProduct, listActiveProducts } from '../../catalog/products';
import { toProductJson } from '../../catalog/product-json';
import type { ProductCache } from '../../catalog/product-cache';
import { catalogAnswer, pageKey, productKey } from '../../catalog/product-cache';
import { listProductsQuery } from '../../catalog/request-schemas';
import type { Orm } from '../../db/orm';
import { encodeKeysetCursor } from '../../db/keyset-cursor';
import { found } from '../../errors';
import { conditionalRequestHeaders, notModified, sendTagged, taggedResponseHeaders, wantsFresh } from '../../http/conditional';
import { json } from '../../http/route';
import { defineRoute } from '../route';

// Components: named once, so the document says "Product" rather than repeating the shape in every answer.
export const Product = productJsonSchema.meta({ id: 'Product' });
const ProductPage = productPageJsonSchema.extend({ items: z.array(Product) }).meta({ id: 'ProductPage' });
/** A product id that is not a UUID names no product: 404, like any unknown id. */
export const productIdParams = z.object({ id: z.uuid().describe('product id') });

/** The public catalog reads: the database and, when the instance has one, its catalog cache. */
export interface CatalogReadDeps {
  orm: Orm;
  /** This API instance's cache, kept right by LISTEN/NOTIFY (src/catalog/catalog-cache.ts); absent: no cache. */
  productCache?: ProductCache;
}

/** Answers from the instance's cache (unless the request asks for `no-cache`), else straight from `load`. */
async function answerCatalog(ctx: Context, deps: CatalogReadDeps, key: string, load: () => Promise<unknown>): Promise<void> {
  const { productCache } = deps;
  const answer = productCache && !wantsFresh(ctx) ? (await productCache.answer(key, load)).answer : catalogAnswer(await load());
  sendTagged(ctx, answer);
}

const CACHING =
  ' Answered from the API instance\'s cache, which every change to a product (reservation, release, sale, restock, ' +
  'admin change) invalidates through PostgreSQL LISTEN/NOTIFY; while the instance is not listening it reads the ' +
  'database. `ETag` on every answer; `If-None-Match` with the current tag → 304.';

/** The public catalog: active products and any product by id. */
export const productRoutes = [
  defineRoute({
    method: 'get',
    path: '/products',
    operationId: 'listProducts',
    auth: 'public',
    tags: ['catalog'],
    summary: 'List active products',
    description: `One page of active products, oldest first.${CACHING}`,
    request: { query: listProductsQuery, headers: conditionalRequestHeaders },
    responses: { 200: json('One page of products', ProductPage, taggedResponseHeaders), 304: notModified },
    errors: ['service_unavailable'],
    handler: async ({ query }, ctx, deps: CatalogReadDeps) => {
      const load = async () => {
        const page = await listActiveProducts(deps.orm.em.fork(), { limit: query.limit, after: query.cursor });
        return { items: page.items.map(toProductJson), nextCursor: page.next ? encodeKeysetCursor(page.next) : null };
      };
      // The raw cursor text keys the page: two spellings of one position are two entries, never a wrong answer.
      await answerCatalog(ctx, deps, pageKey({ limit: query.limit, cursor: typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined }), load);
    },
  }),

  defineRoute({
    method: 'get',
    path: '/products/{id}',
    operationId: 'getProduct',
    auth: 'public',
    tags: ['catalog'],
    summary: 'Get a product',
    description: `Any product, active or not.${CACHING}`,
    request: { params: productIdParams, headers: conditionalRequestHeaders },
    resource: 'product',
    responses: { 200: json('The product', Product, taggedResponseHeaders), 304: notModified },
    errors: ['service_unavailable'],
    handler: async ({ params: { id } }, ctx, deps: CatalogReadDeps) => {
      await answerCatalog(ctx, deps, productKey(id), async () => toProductJson(found(await findProduct(deps.orm.em.fork(), id), 'product', id)));
    },
  }),
];
