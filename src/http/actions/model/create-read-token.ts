import { defineAction, S } from '../action.js';

/** A Hugging Face-style read token (hf_…) for the caller's account; the token is shown only here. */
export default defineAction({
  route: '/v2/model',
  name: 'CreateReadToken',
  access: 'write',
  body: S.obj({ name: S.str(1, 64), expiresInDays: S.int(1, 3650) }),
  async handle({ principal, services }, body) {
    return services.readTokens.create(principal.accountId, {
      name: body.name,
      expiresInSeconds: body.expiresInDays !== undefined ? body.expiresInDays * 86400 : undefined,
      createdBy: principal.accessKey,
    });
  },
});
