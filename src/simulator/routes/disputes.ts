import { z } from 'zod';
import { found } from '../../errors';
import { json } from '../../http/route';
import type { DisputeService } from '../disputes';
import { answer, defineRoute } from '../route';
import { closeDisputeBody, disputeParams, listByOrderQuery, simulatedDisputeSchema } from '../schemas';

export interface DisputeRoutesDeps {
  disputes: DisputeService;
}

/** Disputes: opened by the customer's bank (tok_disputed), closed when the card network decides (here: when told). */
export const disputeRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/disputes',
    operationId: 'listDisputes',
    auth: 'public',
    tags: ['disputes'],
    summary: 'Disputes, oldest first; `orderId` keeps one order’s',
    request: { query: listByOrderQuery },
    responses: { 200: json('Disputes', z.object({ items: z.array(simulatedDisputeSchema) })) },
    handler: ({ query }, ctx, { disputes }: DisputeRoutesDeps) => answer(ctx, 200, { items: disputes.list(query.orderId) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/disputes/{id}',
    operationId: 'getDispute',
    auth: 'public',
    tags: ['disputes'],
    summary: 'A dispute, as it stands now',
    request: { params: disputeParams },
    responses: { 200: json('The dispute', simulatedDisputeSchema) },
    errors: ['not_found'],
    handler: ({ params }, ctx, { disputes }: DisputeRoutesDeps) => answer(ctx, 200, found(disputes.get(params.id), 'dispute', params.id)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/disputes/{id}/close',
    operationId: 'closeDispute',
    auth: 'public',
    tags: ['disputes'],
    summary: 'Close an open dispute: won or lost',
    description:
      'The card network’s decision: `won` (the merchant keeps the money) or `lost` (it goes back to the customer), ' +
      'reported by a `dispute.closed` webhook. Closing it again the same way answers it unchanged; the other way is ' +
      '409 `dispute_closed`.',
    request: { params: disputeParams, body: closeDisputeBody },
    responses: { 200: json('The dispute, closed', simulatedDisputeSchema) },
    errors: ['not_found', 'dispute_closed'],
    handler: ({ params, body }, ctx, { disputes }: DisputeRoutesDeps) => answer(ctx, 200, disputes.close(params.id, body.outcome)),
  }),
];
