import { found } from '../../errors';
import { json } from '../../http/route';
import type { AccountStore } from '../accounts';
import { answer, defineRoute } from '../route';
import { accountSchema, createAccountBody, customerParams, depositBody } from '../schemas';

export interface AccountDeps {
  accounts: AccountStore;
}

/** Customer wallets, charged by `tok_wallet` payments. */
export const accountRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/accounts',
    operationId: 'createAccount',
    auth: 'public',
    tags: ['accounts'],
    summary: "Open a customer's wallet (balance 0)",
    request: { body: createAccountBody },
    responses: { 201: json('Opened', accountSchema) },
    errors: ['already_exists'],
    handler: ({ body }, ctx, { accounts }: AccountDeps) => answer(ctx, 201, accounts.create(body.customerId)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/accounts/{customerId}/deposits',
    operationId: 'depositToAccount',
    auth: 'public',
    tags: ['accounts'],
    summary: 'Add money to a wallet',
    request: { params: customerParams, body: depositBody },
    responses: { 200: json('The account with its new balance', accountSchema) },
    errors: ['not_found'],
    handler: ({ params, body }, ctx, { accounts }: AccountDeps) => answer(ctx, 200, accounts.deposit(params.customerId, body.amountCents)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/accounts/{customerId}',
    operationId: 'getAccount',
    auth: 'public',
    tags: ['accounts'],
    summary: "A wallet's balance",
    request: { params: customerParams },
    responses: { 200: json('The account', accountSchema) },
    errors: ['not_found'],
    handler: ({ params }, ctx, { accounts }: AccountDeps) => answer(ctx, 200, found(accounts.get(params.customerId), 'account', params.customerId)),
  }),
];
