import { defineAction, S } from '../action.js';

/** The account's read tokens (never the tokens themselves). */
export default defineAction({
  route: '/v2/model',
  name: 'DescribeReadTokens',
  access: 'read',
  body: S.obj({}),
  async handle({ principal, services }) {
    return { tokens: await services.readTokens.list(principal.accountId) };
  },
});
