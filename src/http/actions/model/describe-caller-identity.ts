import { POLICIES, policiesAllow } from '../../../domain/iam/policies.js';
import { defineAction, S } from '../action.js';
import { ALL_ROUTES } from './caller-routes.js';

// modelreg extension (docs/extensions.md): who the signing key is and what it may do, so a client
// (the console) can hide what the key may not do instead of failing on click.
export default defineAction({
  route: '/v2/model',
  name: 'DescribeCallerIdentity',
  access: 'read',
  body: S.obj({}),
  async handle({ principal }) {
    return {
      accountId: principal.accountId,
      accountName: principal.accountName,
      accessKey: principal.accessKey,
      policies: principal.policies.map((name) => ({ name, description: POLICIES[name]?.description ?? '' })),
      permissions: ALL_ROUTES.map((route) => ({ route, read: policiesAllow(principal.policies, route, 'read'), write: policiesAllow(principal.policies, route, 'write') })),
    };
  },
});
