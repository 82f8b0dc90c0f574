import { z } from 'zod';
import { productJsonSchema, productPageJsonSchema } from '../../catalog/response-schemas';
import { findProduct, listActiveProducts } from '../../catalog/products';
import { toProductJson } from '../../catalog/product-json';
import { listProductsQuery } from '../../catalog/request-schemas';
import type { Orm } from '../../db/orm';
import { encodeKeysetCursor } from '../../db/keyset-cursor';
import { found } from '../../errors';
import { json } from '../../http/route';
import { defineRoute } from '../route';

// Components: named once, so the document says "Product" rather than repeating the shape in every answer.
export const Product = productJsonSchema.meta({ id: 'Product' });
const ProductPage = productPageJsonSchema.extend({ items: z.array(Product) }).meta({ id: 'ProductPage' });
/** A product id that is not a UUID names no product: 404, like any unknown id. */
export const productIdParams = z.object({ id: z.uuid().describe('product id') });

/** The public catalog: active products and any product by id. */
export const productRoutes = [
  defineRoute({
    method: 'get',
    path: '/products',
    operationId: 'listProducts',
    auth: 'public',
    tags: ['catalog'],
    summary: 'List active products',
    request: { query: listProductsQuery },
    responses: { 200: json('One page of products', ProductPage) },
    errors: ['service_unavailable'],
    handler: async ({ query }, _ctx, { orm }: { orm: Orm }) => {
      const page = await listActiveProducts(orm.em.fork(), { limit: query.limit, after: query.cursor });
      return { items: page.items.map(toProductJson), nextCursor: page.next ? encodeKeysetCursor(page.next) : null };
    },
  }),

  defineRoute({
    method: 'get',
    path: '/products/{id}',
    operationId: 'getProduct',
    auth: 'public',
    tags: ['catalog'],
    summary: 'Get a product',
    request: { params: productIdParams },
    resource: 'product',
    responses: { 200: json('The product', Product) },
    errors: ['service_unavailable'],
    handler: async ({ params: { id } }, _ctx, { orm }: { orm: Orm }) => toProductJson(found(await findProduct(orm.em.fork(), id), 'product', id)),
  }),
];
