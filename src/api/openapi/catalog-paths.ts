import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  createProductBody,
  listProductsQuery,
  stockAdjustmentBody,
  updateProductBody,
} from '../../catalog/request-schemas';
import { productJsonSchema, productPageJsonSchema } from '../../catalog/response-schemas';
import { BODY_ERRORS, mergeErrors } from './errors';
import { json, registerRoute } from './route';

const Product = productJsonSchema.meta({ id: 'Product' });
const ProductPage = productPageJsonSchema.extend({ items: z.array(Product) }).meta({ id: 'ProductPage' });
// The catalog routes take any string as id and answer 404 when no product has it.
const productIdParams = z.object({ id: z.string().describe('product id (UUID)') });
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

export function registerCatalogPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, {
    method: 'post',
    path: '/admin/products',
    tags: ['catalog'],
    admin: true,
    summary: 'Create a product',
    request: { body: jsonBody(createProductBody) },
    responses: { 201: json('Created', Product, z.object({ Location: z.string().describe('/products/{id}') })) },
    errors: mergeErrors(BODY_ERRORS, { 409: ['sku_taken'] }),
  });

  registerRoute(registry, {
    method: 'patch',
    path: '/admin/products/{id}',
    tags: ['catalog'],
    admin: true,
    summary: "Change a product's name, price or active flag",
    request: { params: productIdParams, body: jsonBody(updateProductBody) },
    responses: { 200: json('The product', Product) },
    errors: mergeErrors(BODY_ERRORS, { 404: ['not_found'] }),
  });

  registerRoute(registry, {
    method: 'post',
    path: '/admin/products/{id}/stock-adjustments',
    tags: ['catalog'],
    admin: true,
    summary: 'Add or remove stock on hand',
    request: { params: productIdParams, body: jsonBody(stockAdjustmentBody) },
    responses: { 200: json('The product', Product) },
    errors: mergeErrors(BODY_ERRORS, { 404: ['not_found'], 409: ['insufficient_stock'] }),
  });

  registerRoute(registry, {
    method: 'get',
    path: '/products',
    tags: ['catalog'],
    summary: 'List active products',
    request: { query: listProductsQuery },
    responses: { 200: json('One page of products', ProductPage) },
    errors: { 400: ['validation_failed'] },
  });

  registerRoute(registry, {
    method: 'get',
    path: '/products/{id}',
    tags: ['catalog'],
    summary: 'Get a product',
    request: { params: productIdParams },
    responses: { 200: json('The product', Product) },
    errors: { 404: ['not_found'] },
  });
}
