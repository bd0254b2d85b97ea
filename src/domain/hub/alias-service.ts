// Model-set aliases (as MLflow's @champion): a name that points at one Ready version of its set,
// moved atomically, every move recorded (who, when, from, to). A version an alias points at
// cannot be deleted.
import type { Transaction } from 'kysely';
import { ERRORS } from '../errors/catalogue.js';
import { randomSuffix } from '../ids.js';
import { nowIso, toApiTime } from '../time.js';
import { clampMaxKeys, type MaxKeysRule } from '../paging.js';
import { COMMIT_ID } from './commit-id.js';
import type { Database } from '../../store/schema.js';
import type { HubRepo } from '../../store/repos/hub-repo.js';
import type { ModelsRepo, ModelVersionRow } from '../../store/repos/models-repo.js';

const ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;
/** DescribeModelSetAliasHistory: the newest 100 moves unless asked for more (the schema allows 1000). */
const HISTORY_MAX_KEYS: MaxKeysRule = { fallback: 100, max: 1000 };

/** Why `alias` cannot be an alias name, or null when it can. */
export function aliasNameProblem(alias: string): string | null {
  if (!ALIAS.test(alias)) return 'an alias must be 1-64 lowercase letters, digits, "_" or "-", starting with a letter';
  if (/^v\d+$/.test(alias)) return `"${alias}" looks like a version name (V1, V2, …); pick another alias`;
  if (COMMIT_ID.test(alias)) return `"${alias}" looks like a commit id (40 hex digits); pick another alias`;
  if (alias.startsWith('amv-')) return `"${alias}" looks like a model version id; pick another alias`;
  return null;
}

export interface AliasView {
  alias: string;
  modelId: string;
  modelName: string;
  modifiedBy: string;
  modifyTime: string;
}

export interface AliasEventView {
  alias: string;
  fromModelId: string | null;
  fromModelName: string | null;
  toModelId: string | null;
  toModelName: string | null;
  actor: string;
  time: string;
}

export class AliasService {
  constructor(
    private readonly repo: Pick<HubRepo, 'aliasesOfSet' | 'aliasesOfVersion' | 'deleteAlias' | 'events' | 'findAlias' | 'insertAlias' | 'insertEvent' | 'lockVersion' | 'transaction' | 'updateAlias'>,
    private readonly models: Pick<ModelsRepo, 'findSet' | 'listVersions' | 'lockSet'>,
  ) {}

  /** Points `alias` at `modelId` (a Ready version of the set); returns where it pointed before. */
  async set(accountId: string, actor: string, input: { modelSetId: string; alias: string; modelId: string }): Promise<{ previousModelId: string | null }> {
    const problem = aliasNameProblem(input.alias);
    if (problem) throw ERRORS.InvalidParameter(problem);
    return this.repo.transaction(async (tx) => {
      // Version first, then set: the same order as DeleteModel, so the two never deadlock.
      const version = await this.repo.lockVersion(accountId, input.modelId, tx);
      const set = await this.models.lockSet(accountId, input.modelSetId, tx);
      if (!set) throw ERRORS.ModelSetNotFound(input.modelSetId);
      if (!version) throw ERRORS.ModelVersionNotFound(input.modelId);
      if (version.model_set_id !== set.id) {
        throw ERRORS.AliasTargetInOtherSet(version.id, version.model_set_id);
      }
      if (version.status !== 'Ready') {
        throw ERRORS.AliasTargetNotReady(version.name, version.id, version.status);
      }
      const at = nowIso();
      const existing = await this.repo.findAlias(set.id, input.alias, tx);
      if (existing?.model_id === version.id) return { previousModelId: version.id };
      if (existing) await this.repo.updateAlias(set.id, input.alias, { model_id: version.id, modified_by: actor, modified_at: at }, tx);
      else await this.repo.insertAlias({ model_set_id: set.id, alias: input.alias, account_id: accountId, model_id: version.id, modified_by: actor, modified_at: at }, tx);
      await this.repo.insertEvent({ id: eventId(at), model_set_id: set.id, alias: input.alias, from_model_id: existing?.model_id ?? null, to_model_id: version.id, actor, at }, tx);
      return { previousModelId: existing?.model_id ?? null };
    });
  }

  async delete(accountId: string, actor: string, input: { modelSetId: string; alias: string }): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const set = await this.models.lockSet(accountId, input.modelSetId, tx);
      if (!set) throw ERRORS.ModelSetNotFound(input.modelSetId);
      const existing = await this.repo.findAlias(set.id, input.alias, tx);
      if (!existing) throw ERRORS.AliasNotFound(set.name, input.alias);
      const at = nowIso();
      await this.repo.deleteAlias(set.id, input.alias, tx);
      await this.repo.insertEvent({ id: eventId(at), model_set_id: set.id, alias: input.alias, from_model_id: existing.model_id, to_model_id: null, actor, at }, tx);
    });
  }

  async listForSet(setId: string): Promise<AliasView[]> {
    return (await this.repo.aliasesOfSet(setId)).map((a) => ({
      alias: a.alias,
      modelId: a.model_id,
      modelName: a.model_name,
      modifiedBy: a.modified_by,
      modifyTime: toApiTime(a.modified_at),
    }));
  }

  async listForVersion(modelId: string): Promise<string[]> {
    return (await this.repo.aliasesOfVersion(modelId)).map((a) => a.alias);
  }

  /** Newest move first; one page, the newest maxKeys moves (no marker). */
  async history(accountId: string, input: { modelSetId: string; alias?: string; maxKeys?: number }): Promise<AliasEventView[]> {
    const set = await this.models.findSet(accountId, { id: input.modelSetId });
    if (!set) throw ERRORS.ModelSetNotFound(input.modelSetId);
    const [events, versions] = await Promise.all([this.repo.events(set.id, { alias: input.alias, limit: clampMaxKeys(input.maxKeys, HISTORY_MAX_KEYS), reverse: true }), this.models.listVersions([set.id])]);
    const names = new Map(versions.map((v) => [v.id, v.name]));
    return events.map((e) => ({
      alias: e.alias,
      fromModelId: e.from_model_id,
      fromModelName: e.from_model_id ? (names.get(e.from_model_id) ?? null) : null,
      toModelId: e.to_model_id,
      toModelName: e.to_model_id ? (names.get(e.to_model_id) ?? null) : null,
      actor: e.actor,
      time: toApiTime(e.at),
    }));
  }

  /** DeleteModel's guard, inside its transaction: refuses while an alias points at the version. */
  async refuseDeleteIfAliased(accountId: string, row: ModelVersionRow, tx: Transaction<Database>): Promise<void> {
    // Locked (PostgreSQL) so that an alias being set at this moment is either seen here or refused there.
    await this.repo.lockVersion(accountId, row.id, tx);
    const aliases = await this.repo.aliasesOfVersion(row.id, tx);
    if (aliases.length > 0) {
      throw ERRORS.VersionHasAliases(row.name, row.id, aliases.map((a) => a.alias));
    }
  }
}

/** Sortable within one millisecond too (at, then id). */
const eventId = (at: string): string => `ae-${at.replace(/\D/g, '')}-${randomSuffix(8)}`;
