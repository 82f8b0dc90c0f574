import { z } from 'zod';
import type { AnySimulatorRoute } from '../http/route';
import { json, simulatorRoute } from '../http/route';

export function healthRoutes(): AnySimulatorRoute[] {
  return [
    simulatorRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      tag: 'operability',
      summary: 'Liveness: the process answers',
      responses: { 200: json('Alive', z.object({ status: z.literal('ok') })) },
      handler: (ctx) => {
        ctx.body = { status: 'ok' };
      },
    }),
  ];
}
