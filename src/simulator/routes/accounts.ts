import { NotFoundError } from '../../errors';
import type { AccountStore } from '../accounts';
import type { AnySimulatorRoute } from '../http/route';
import { answer, json, simulatorRoute } from '../http/route';
import { accountSchema, createAccountBody, customerParams, depositBody } from '../schemas';

/** Customer wallets, charged by `tok_wallet` payments. */
export function accountRoutes(accounts: AccountStore): AnySimulatorRoute[] {
  return [
    simulatorRoute({
      method: 'post',
      path: '/v1/accounts',
      operationId: 'createAccount',
      tag: 'accounts',
      summary: "Open a customer's wallet (balance 0)",
      body: createAccountBody,
      responses: { 201: json('Opened', accountSchema) },
      errors: ['already_exists'],
      handler: (ctx, { body }) => answer(ctx, 201, accounts.create(body.customerId)),
    }),
    simulatorRoute({
      method: 'post',
      path: '/v1/accounts/{customerId}/deposits',
      operationId: 'depositToAccount',
      tag: 'accounts',
      summary: 'Add money to a wallet',
      params: customerParams,
      body: depositBody,
      responses: { 200: json('The account with its new balance', accountSchema) },
      errors: ['not_found'],
      handler: (ctx, { params, body }) => answer(ctx, 200, accounts.deposit(params.customerId, body.amountCents)),
    }),
    simulatorRoute({
      method: 'get',
      path: '/v1/accounts/{customerId}',
      operationId: 'getAccount',
      tag: 'accounts',
      summary: "A wallet's balance",
      params: customerParams,
      responses: { 200: json('The account', accountSchema) },
      errors: ['not_found'],
      handler: (ctx, { params }) => {
        const account = accounts.get(params.customerId);
        if (!account) throw new NotFoundError('account', params.customerId);
        answer(ctx, 200, account);
      },
    }),
  ];
}
