import { z } from 'zod';
import { found } from '../../errors';
import { json } from '../../http/route';
import { answer, defineRoute } from '../route';
import type { SubscriberStore } from '../subscribers';

export interface SubscriberRoutesDeps {
  subscribers: SubscriberStore;
}

const status = z.int().min(200).max(599);
const settings = z.strictObject({
  secret: z.string().startsWith('whsec_').nullable().optional().describe("The endpoint's secret, as POST /admin/webhook-endpoints showed it"),
  answer: status.optional().describe('What to answer every delivery (default 200); e.g. 500 or 410'),
  script: z
    .array(status)
    .max(100)
    .optional()
    .describe('Answers to the attempts of each message (by webhook-id), in turn, before `answer` applies: [500, 500] fails every message twice'),
});
const subscriberId = z.strictObject({ id: z.string().regex(/^sub_[A-Za-z0-9]+$/) });
const delivery = z.object({
  webhookId: z.string().nullable(),
  webhookTimestamp: z.string().nullable(),
  webhookSignature: z.string().nullable(),
  body: z.string(),
  type: z.string().nullable(),
  orderId: z.string().nullable(),
  verified: z.boolean(),
  answeredWith: z.int(),
  receivedAt: z.string(),
});
const configured = z.object({ id: z.string(), answer: z.int(), script: z.array(z.int()), hasSecret: z.boolean() });

/** A subscriber of the service's outbound webhooks, to try them (docs/webhooks-out.md). */
export const subscriberRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/subscribers',
    operationId: 'createSubscriber',
    auth: 'public',
    tags: ['subscribers'],
    summary: 'A new webhook subscriber; subscribe its `url` with POST /admin/webhook-endpoints, then give it the secret',
    request: { body: settings.default({}) },
    responses: { 201: json('Created', z.object({ id: z.string(), url: z.string() })) },
    handler: ({ body }, ctx, { subscribers }: SubscriberRoutesDeps) => {
      const { id } = subscribers.create(body);
      answer(ctx, 201, { id, url: `${ctx.protocol}://${ctx.host}/v1/subscribers/${id}/deliveries` });
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/subscribers/{id}',
    operationId: 'configureSubscriber',
    auth: 'public',
    tags: ['subscribers'],
    summary: "Set a subscriber's secret and what it answers",
    request: { params: subscriberId, body: settings },
    resource: 'subscriber',
    responses: { 200: json('Its settings', configured) },
    handler: ({ params, body }, _ctx, { subscribers }: SubscriberRoutesDeps) =>
      found(subscribers.configure(params.id, body), 'subscriber', params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/subscribers/{id}/deliveries',
    operationId: 'receiveDelivery',
    auth: 'public',
    tags: ['subscribers'],
    summary: 'Where the service delivers: verifies the Standard Webhooks signature, records the delivery, answers as set',
    request: { params: subscriberId },
    resource: 'subscriber',
    description: 'Answers with the status it was told to (200 by default; 500 or 410 to try retries and disabling).',
    responses: { 200: json('Received', z.object({ received: z.boolean() })) },
    handler: ({ params }, ctx, { subscribers }: SubscriberRoutesDeps) => {
      const raw = ctx.request.rawBody?.toString('utf8') ?? '';
      const status = found(subscribers.receive(params.id, ctx.headers, raw), 'subscriber', params.id);
      answer(ctx, status, { received: status < 300 });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/subscribers/{id}/deliveries',
    operationId: 'listDeliveries',
    auth: 'public',
    tags: ['subscribers'],
    summary: 'Every delivery the subscriber received, oldest first',
    request: { params: subscriberId },
    resource: 'subscriber',
    responses: { 200: json('Deliveries', z.object({ items: z.array(delivery) })) },
    handler: ({ params }, _ctx, { subscribers }: SubscriberRoutesDeps) => ({ items: found(subscribers.deliveries(params.id), 'subscriber', params.id) }),
  }),
];
