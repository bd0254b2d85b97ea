import { defineAction, S } from '../action.js';

/** Revokes a read token: the next request made with it is refused. */
export default defineAction({
  route: '/v2/model',
  name: 'DeleteReadToken',
  access: 'write',
  body: S.obj({ tokenId: S.str(1, 64) }, ['tokenId']),
  async handle({ principal, services }, body) {
    await services.readTokens.revoke(body.tokenId, principal.accountId);
    return true;
  },
});
