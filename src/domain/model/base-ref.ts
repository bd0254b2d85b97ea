// REF: how a request (importMeta/trainMeta.baseModelId) or an adapter's base_model_name_or_path
// names a model version of this registry:
//   amv-xxxxxxxxxxxx   a version id
//   SET/V3             version V3 of a set, SET being its name or its am- id
//   SET@alias          the version an alias of the set points at (aliases: branch hub; the
//                      resolver takes an AliasLookup, and without one says aliases are unavailable)
//   SET                the set's newest Ready version (only when read from base_model_name_or_path)
// Resolution is scoped to one account: another account's versions are "not found".
import type { ModelVersionRow, ModelsRepo } from '../../store/repos/models-repo.js';

export type BaseRef =
  | { kind: 'id'; id: string }
  | { kind: 'version'; set: string; versionNo: number }
  | { kind: 'alias'; set: string; alias: string }
  | { kind: 'set'; set: string };

const VERSION_ID = /^amv-[a-z0-9]{12}$/;
// Model set names (model-set-service.ts SET_NAME) or am- ids.
const SET = String.raw`(\p{L}[\p{L}\p{N}_.-]{1,49}|am-[a-z0-9]{12})`;
const SET_VERSION = new RegExp(`^${SET}/[Vv]([1-9][0-9]{0,8})$`, 'u');
const SET_ALIAS = new RegExp(`^${SET}@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})$`, 'u');
const SET_ONLY = new RegExp(`^${SET}$`, 'u');

export const BASE_REF_FORMS = 'amv-… (a version id), SET/Vn (a version of a model set, by set name or am- id) or SET@alias';

/** The REF a string spells, or null. `allowBareSet`: a set name alone means its newest Ready version. */
export function parseBaseRef(s: string, allowBareSet = false): BaseRef | null {
  if (VERSION_ID.test(s)) return { kind: 'id', id: s };
  let m = SET_VERSION.exec(s);
  if (m) return { kind: 'version', set: m[1] as string, versionNo: Number(m[2]) };
  m = SET_ALIAS.exec(s);
  if (m) return { kind: 'alias', set: m[1] as string, alias: m[2] as string };
  if (allowBareSet && SET_ONLY.test(s)) return { kind: 'set', set: s };
  return null;
}

/** Looks an alias up (branch hub); returns the version id it points at, or null. */
export type AliasLookup = (accountId: string, modelSetId: string, alias: string) => Promise<string | null>;

/** What resolving reads (src/store/repos/models-repo.ts implements it). */
export type BaseRefStore = Pick<ModelsRepo, 'findSet' | 'findVersion' | 'listVersions'>;

export type Resolved = { ok: true; version: ModelVersionRow; setName: string } | { ok: false; why: string };

export async function resolveBaseRef(repo: BaseRefStore, accountId: string, ref: BaseRef, aliases?: AliasLookup): Promise<Resolved> {
  if (ref.kind === 'id') {
    const v = await repo.findVersion(accountId, ref.id);
    if (!v) return { ok: false, why: `no version ${ref.id} in this account` };
    const set = await repo.findSet(accountId, { id: v.model_set_id });
    return { ok: true, version: v, setName: set?.name ?? v.model_set_id };
  }
  const set = await repo.findSet(accountId, ref.set.startsWith('am-') ? { id: ref.set } : { name: ref.set });
  if (!set) return { ok: false, why: `no model set ${ref.set} in this account` };
  const found = (v: ModelVersionRow | undefined, what: string): Resolved => (v ? { ok: true, version: v, setName: set.name } : { ok: false, why: what });
  if (ref.kind === 'alias') {
    if (!aliases) return { ok: false, why: `aliases (${set.name}@${ref.alias}) are not available in this registry version; name the version as ${set.name}/Vn or by its amv- id` };
    const id = await aliases(accountId, set.id, ref.alias);
    return found(id ? await repo.findVersion(accountId, id) : undefined, `model set ${set.name} has no alias ${ref.alias}`);
  }
  const versions = await repo.listVersions([set.id]);
  if (ref.kind === 'version') {
    const v = versions.find((x) => x.version_no === ref.versionNo);
    return found(v ? await repo.findVersion(accountId, v.id) : undefined, `model set ${set.name} has no version V${ref.versionNo}`);
  }
  const ready = versions.filter((x) => x.status === 'Ready').sort((a, b) => b.version_no - a.version_no)[0];
  return found(ready ? await repo.findVersion(accountId, ready.id) : undefined, `model set ${set.name} has no Ready version`);
}
