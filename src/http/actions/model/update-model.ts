import { ERRORS } from '../../../domain/errors/catalogue.js';
import { defineAction, S } from '../action.js';

// modelreg extension (docs/extensions.md): a version's description (Markdown) and its key/value
// tags (the whole set of tags: keys left out are removed) are editable; nothing else about it is.
export default defineAction({
  route: '/v2/model',
  name: 'UpdateModel',
  access: 'write',
  body: S.obj(
    {
      modelId: S.str(1, 64),
      description: S.str(0, 8192),
      // MLflow's shape: a list of {key, value}; the key's characters are checked by the domain.
      tags: S.arr(S.obj({ key: S.str(1, 64), value: S.str(0, 256) }, ['key', 'value']), 50),
    },
    ['modelId'],
  ),
  async handle({ principal, services }, body) {
    const { tags, ...rest } = body;
    await services.metadata.updateVersion(principal.accountId, body.modelId, { ...rest, ...(tags ? { tags: tagObject(tags) } : {}) });
    return true;
  },
});

/** The list as an object; a key given twice is refused (which value would win is not obvious). */
function tagObject(tags: Array<{ key: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const t of tags) {
    if (Object.hasOwn(out, t.key)) throw ERRORS.TagKeyRepeated(t.key);
    out[t.key] = t.value;
  }
  return out;
}
