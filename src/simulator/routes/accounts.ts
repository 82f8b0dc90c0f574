import Router from '@koa/router';
import { NotFoundError } from '../../errors';
import { parseRequest } from '../../api/validate';
import type { AccountStore } from '../accounts';
import { createAccountBody, customerParams, depositBody } from '../schemas';
import { answer } from './request';

export function accountRoutes(accounts: AccountStore): Router {
  const router = new Router({ prefix: '/v1/accounts' });

  router.post('/', (ctx) => {
    const { customerId } = parseRequest(createAccountBody, ctx.request.body, 'body');
    answer(ctx, 201, accounts.create(customerId));
  });

  router.post('/:customerId/deposits', (ctx) => {
    const { customerId } = parseRequest(customerParams, ctx.params, 'params');
    const { amountCents } = parseRequest(depositBody, ctx.request.body, 'body');
    answer(ctx, 200, accounts.deposit(customerId, amountCents));
  });

  router.get('/:customerId', (ctx) => {
    const { customerId } = parseRequest(customerParams, ctx.params, 'params');
    const account = accounts.get(customerId);
    if (!account) throw new NotFoundError('account', customerId);
    answer(ctx, 200, account);
  });

  return router;
}
