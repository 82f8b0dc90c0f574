import { z } from 'zod';
import { json } from '../../http/route';
import { defineRoute } from '../route';

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    auth: 'public',
    tags: ['operability'],
    summary: 'Liveness: the process answers',
    responses: { 200: json('Alive', z.object({ status: z.literal('ok') })) },
    handler: () => ({ status: 'ok' }),
  }),
];
