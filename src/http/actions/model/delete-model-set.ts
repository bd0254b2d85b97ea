import { ApiError } from '../../../domain/errors.js';
import type { Services } from '../../../domain/services.js';
import { defineAction, S } from '../action.js';

// Refuses while the set still has versions (ModelSetNotEmpty): see README "Deleting".
// modelreg's `deleteVersions: true` deletes the versions first (docs/extensions.md).
export default defineAction({
  route: '/v2/model',
  name: 'DeleteModelSet',
  access: 'write',
  body: S.obj({ modelSetId: S.str(1, 64), deleteVersions: S.bool() }, ['modelSetId']),
  async handle({ principal, services }, body) {
    if (body.deleteVersions) await deleteAllVersions(services, principal.accountId, body.modelSetId);
    await services.modelSets.delete(principal.accountId, body.modelSetId);
    return true;
  },
});

/**
 * Every version of the set, newest first, each with DeleteModel's own rules (a running import
 * stops; a base with adapters elsewhere is refused and stops the whole delete, with the set and
 * its remaining versions left as they are). Adapters inside the set go before their base.
 */
async function deleteAllVersions(services: Services, accountId: string, setId: string): Promise<void> {
  const set = await services.modelSets.describe(accountId, { id: setId });
  let left = [...set.versions].sort((a, b) => b.versionNo - a.versionNo);
  while (left.length > 0) {
    const refused: typeof left = [];
    let lastErr: unknown;
    for (const v of left) {
      try {
        await services.modelVersions.delete(accountId, v.modelId);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ModelNotFound') continue; // deleted meanwhile
        if (err instanceof ApiError && err.code === 'ModelHasAdapters') {
          refused.push(v);
          lastErr = err;
          continue;
        }
        throw err;
      }
    }
    // No progress: the adapters bound to what is left live in other sets.
    if (refused.length === left.length) throw lastErr;
    left = refused;
  }
}
