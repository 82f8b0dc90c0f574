import type { Orm } from '../../db/orm';
import { NotFoundError } from '../../errors';
import { customerStats } from '../../orders/customer-stats';
import { maySee } from '../../orders/ownership';
import { customerIdParamsSchema } from '../../orders/request-schemas';
import { customerStatsJsonSchema } from '../../orders/response-schemas';
import { json } from '../../http/route';
import { defineRoute } from '../route';

const CustomerStats = customerStatsJsonSchema.meta({ id: 'CustomerStats' });

/** What is known of a customer: their statistics, for themself and for support staff. */
export const customerRoutes = [
  defineRoute({
    method: 'get',
    path: '/customers/{customerId}/stats',
    operationId: 'getCustomerStats',
    auth: 'customerOrAdmin',
    tags: ['orders'],
    summary: "A customer's order statistics",
    description:
      "Orders per status, money taken and given back per currency, items bought, first and last order. Kept in the same " +
      'transaction as every status change, so it is right as soon as an order moves. A customer reads their own (the ' +
      "token's `sub`); another customer's is 404, as if it did not exist. Support staff: any customer (all zeros for one " +
      'with no orders).',
    request: { params: customerIdParamsSchema },
    resource: 'customer',
    responses: { 200: json("The customer's statistics", CustomerStats) },
    errors: ['service_unavailable'],
    handler: async ({ params: { customerId }, principal }, _ctx, { orm }: { orm: Orm }) => {
      if (!maySee(principal, { customerId })) throw new NotFoundError('customer', customerId);
      return customerStats(orm.em.fork(), customerId);
    },
  }),
];
