import { z } from 'zod';
import type { Config } from '../../config';
import { encodeKeysetCursor } from '../../db/keyset-cursor';
import type { Orm } from '../../db/orm';
import { found } from '../../errors';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateSecret,
  toEndpointJson,
  updateEndpoint,
} from '../../outbox/endpoint-store';
import type { MessageStatus } from '../../outbox/message-store';
import { listMessages, replaySince, retryMessage, toMessageJson } from '../../outbox/message-store';
import {
  createEndpointBody,
  endpointIdParams,
  listMessagesQuery,
  messageIdParams,
  replayBody,
  updateEndpointBody,
} from '../../outbox/request-schemas';
import {
  webhookEndpointJsonSchema,
  webhookEndpointWithSecretJsonSchema,
  webhookMessageJsonSchema,
  webhookMessagePageJsonSchema,
} from '../../outbox/response-schemas';
import { checkWebhookUrl } from '../../outbox/url-guard';
import { json } from '../../http/route';
import { defineRoute } from '../route';

interface WebhookRouteDeps {
  orm: Orm;
  config: Config;
}

const WebhookMessage = webhookMessageJsonSchema;
const WebhookMessagePage = webhookMessagePageJsonSchema.extend({ items: z.array(WebhookMessage) }).meta({ id: 'WebhookMessagePage' });

/** Where a subscriber's URL may point under this configuration (422 invalid_webhook_url otherwise). */
const checkUrl = (url: string, config: Config) =>
  checkWebhookUrl(url, { production: config.NODE_ENV === 'production', allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });

/** Every one of these is an operator's: the admin bearer token. */
const operator = { auth: 'admin' as const, tags: ['webhooks-out'] };
const endpointResource = { resource: 'webhook endpoint' };

/** Operators' routes of the outbound webhooks (docs/webhooks-out.md): subscribers' endpoints and their messages. */
export const webhookEndpointRoutes = [
  defineRoute({
    ...operator,
    method: 'post',
    path: '/admin/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Subscribe an endpoint to order events; the answer shows its signing secret, once',
    request: { body: createEndpointBody },
    responses: { 201: json('Created, with its secret', webhookEndpointWithSecretJsonSchema, z.object({ Location: z.string() })) },
    errors: ['invalid_webhook_url', 'service_unavailable'],
    handler: async ({ body }, ctx, { orm, config }: WebhookRouteDeps) => {
      await checkUrl(body.url, config);
      const { endpoint, secret } = await createEndpoint(orm.em.fork(), config.PAYLOAD_ENCRYPTION_KEYS, body);
      ctx.status = 201;
      ctx.set('Location', `/admin/webhook-endpoints/${endpoint.id}`);
      return { ...toEndpointJson(endpoint), secret };
    },
  }),
  defineRoute({
    ...operator,
    method: 'get',
    path: '/admin/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'Every endpoint, oldest first (at most 1000)',
    responses: { 200: json('Endpoints', z.object({ items: z.array(webhookEndpointJsonSchema) })) },
    errors: ['service_unavailable'],
    handler: async (_input, _ctx, { orm }: WebhookRouteDeps) => ({ items: (await listEndpoints(orm.em.fork())).map(toEndpointJson) }),
  }),
  defineRoute({
    ...operator,
    ...endpointResource,
    method: 'get',
    path: '/admin/webhook-endpoints/{id}',
    operationId: 'getWebhookEndpoint',
    summary: 'One endpoint (never its secret)',
    request: { params: endpointIdParams },
    responses: { 200: json('The endpoint', webhookEndpointJsonSchema) },
    errors: ['service_unavailable'],
    handler: async ({ params }, _ctx, { orm }: WebhookRouteDeps) =>
      toEndpointJson(found(await findEndpoint(orm.em.fork(), params.id), 'webhook endpoint', params.id)),
  }),
  defineRoute({
    ...operator,
    ...endpointResource,
    method: 'patch',
    path: '/admin/webhook-endpoints/{id}',
    operationId: 'updateWebhookEndpoint',
    summary: "Change an endpoint's url, events or description, or enable or disable it",
    description: 'Enabling an endpoint (also one a 410 disabled) resumes the delivery of its pending messages.',
    request: { params: endpointIdParams, body: updateEndpointBody },
    responses: { 200: json('The endpoint', webhookEndpointJsonSchema) },
    errors: ['invalid_webhook_url', 'service_unavailable'],
    handler: async ({ params, body }, _ctx, { orm, config }: WebhookRouteDeps) => {
      if (body.url !== undefined) await checkUrl(body.url, config);
      return toEndpointJson(found(await updateEndpoint(orm.em.fork(), params.id, body), 'webhook endpoint', params.id));
    },
  }),
  defineRoute({
    ...operator,
    ...endpointResource,
    method: 'delete',
    path: '/admin/webhook-endpoints/{id}',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete an endpoint and its messages',
    request: { params: endpointIdParams },
    responses: { 204: { description: 'Deleted' } },
    errors: ['service_unavailable'],
    handler: async ({ params }, ctx, { orm }: WebhookRouteDeps) => {
      found((await deleteEndpoint(orm.em.fork(), params.id)) || undefined, 'webhook endpoint', params.id);
      ctx.status = 204;
    },
  }),
  defineRoute({
    ...operator,
    ...endpointResource,
    method: 'post',
    path: '/admin/webhook-endpoints/{id}/rotate-secret',
    operationId: 'rotateWebhookEndpointSecret',
    summary: 'A new signing secret, shown once; the old one keeps signing beside it for WEBHOOK_SECRET_OVERLAP',
    request: { params: endpointIdParams },
    responses: { 200: json('The endpoint, with its new secret', webhookEndpointWithSecretJsonSchema) },
    errors: ['service_unavailable'],
    handler: async ({ params }, _ctx, { orm, config }: WebhookRouteDeps) => {
      const { endpoint, secret } = found(
        await rotateSecret(orm.em.fork(), config.PAYLOAD_ENCRYPTION_KEYS, params.id, config.WEBHOOK_SECRET_OVERLAP),
        'webhook endpoint',
        params.id,
      );
      return { ...toEndpointJson(endpoint), secret };
    },
  }),
  defineRoute({
    ...operator,
    ...endpointResource,
    method: 'post',
    path: '/admin/webhook-endpoints/{id}/replay',
    operationId: 'replayWebhookEndpoint',
    summary: 'Send the endpoint every event since a time again (those its filter takes), as new messages',
    request: { params: endpointIdParams, body: replayBody },
    responses: { 202: json('Queued', z.object({ messages: z.int().describe('how many messages were queued') })) },
    errors: ['service_unavailable'],
    handler: async ({ params, body }, ctx, { orm }: WebhookRouteDeps) => {
      const em = orm.em.fork();
      found(await findEndpoint(em, params.id), 'webhook endpoint', params.id);
      ctx.status = 202;
      return { messages: await replaySince(em, params.id, body.since) };
    },
  }),
  defineRoute({
    ...operator,
    method: 'get',
    path: '/admin/webhook-messages',
    operationId: 'listWebhookMessages',
    summary: 'Webhook messages newest first, with their attempts; filter by endpoint and status',
    request: { query: listMessagesQuery },
    responses: { 200: json('A page of messages', WebhookMessagePage) },
    errors: ['service_unavailable'],
    handler: async ({ query }, _ctx, { orm }: WebhookRouteDeps) => {
      const page = await listMessages(orm.em.fork(), {
        endpointId: query.endpointId,
        status: query.status as MessageStatus | undefined,
        after: query.cursor,
        limit: query.limit,
      });
      const last = page.items.at(-1);
      return {
        items: page.items.map(toMessageJson),
        nextCursor: page.more && last ? encodeKeysetCursor({ createdAt: new Date(last.created_at), id: last.id }) : null,
      };
    },
  }),
  defineRoute({
    ...operator,
    method: 'post',
    path: '/admin/webhook-messages/{id}/retry',
    operationId: 'retryWebhookMessage',
    summary: 'Deliver a message again now (pending, failed or delivered alike), with the same webhook-id',
    request: { params: messageIdParams },
    resource: 'webhook message',
    responses: { 202: json('Due now; the relay sends it', WebhookMessage) },
    errors: ['service_unavailable'],
    handler: async ({ params }, ctx, { orm }: WebhookRouteDeps) => {
      const message = found(await retryMessage(orm.em.fork(), params.id), 'webhook message', params.id);
      ctx.status = 202;
      return toMessageJson(message);
    },
  }),
];
