// Model sets (am-…): create, describe, list by marker, delete. Every query is scoped to the
// caller's account, so another account's set is simply "not found".
import { ERRORS } from '../errors/catalogue.js';
import { checkQuota, UNLIMITED_QUOTAS, withAccountQuota, type Quotas } from '../quotas.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import { readPage, type Page, type PageRequest } from '../paging.js';
import { isUniqueViolation } from '../../store/dialect.js';
import type { ModelSetRow, ModelsRepo, SetFilter } from '../../store/repos/models-repo.js';
import { modelSetView, versionSummary, type ModelSetView, type VersionSummary } from './model-views.js';

export const MODEL_TYPES = ['Text2Text', 'Text2Image', 'TextRepresentation', 'ImageUnderstanding', 'Industry'] as const;
// Letters (any script, so Chinese names work), digits, '_', '-', '.'; starts with a letter.
const SET_NAME = /^\p{L}[\p{L}\p{N}_.-]{1,49}$/u;

export interface SetPage extends Page<ModelSetView> {
  /** Sets that match the filter, over all pages. */
  totalCount: number;
}

/** The orders DescribeCustomModelSets offers (modelreg's `sortBy`); createTime is Qianfan's. */
export const SET_SORTS = { createTime: 'created_at', modifyTime: 'modified_at', modelSetName: 'name' } as const;
export type SetSort = keyof typeof SET_SORTS;
export type { SetFilter };

/** What ModelSetService stores and reads through (src/store/repos/models-repo.ts implements it). */
export type ModelSetStore = Pick<
  ModelsRepo,
  'countSets' | 'countSetsMatching' | 'countVersions' | 'deleteSet' | 'findSet' | 'findVersion' | 'insertSet' | 'listSets' | 'listVersions' | 'lockAccount' | 'lockSet' | 'pageVersionsOfSet' | 'transaction'
>;

export class ModelSetService {
  constructor(
    private readonly repo: ModelSetStore,
    private readonly quotas: Quotas = UNLIMITED_QUOTAS,
  ) {}

  async create(accountId: string, input: { modelSetName: string; modelType: string; labels?: string[] }): Promise<ModelSetView> {
    if (!SET_NAME.test(input.modelSetName)) {
      throw ERRORS.InvalidModelSetName();
    }
    const at = nowIso();
    const row: ModelSetRow = {
      id: newId.modelSet(),
      account_id: accountId,
      name: input.modelSetName,
      model_type: input.modelType,
      labels: JSON.stringify(input.labels ?? []),
      source: 'UserCreate',
      next_version: 1,
      description: null,
      created_at: at,
      modified_at: at,
    };
    const limit = this.quotas.modelSets;
    try {
      // Quotas off: the single prepared insert (issue 14 measures it).
      await withAccountQuota(this.repo, accountId, limit > 0, async (tx) => {
        if (tx) checkQuota('model sets', 'MODELREG_QUOTA_MODEL_SETS', await this.repo.countSets(accountId, tx), limit);
        await this.repo.insertSet(row, tx);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw ERRORS.ModelSetNameTaken(input.modelSetName);
      throw err;
    }
    return modelSetView(row, []);
  }

  private async require(accountId: string, by: { id?: string; name?: string }): Promise<ModelSetRow> {
    const row = await this.repo.findSet(accountId, by);
    if (!row) {
      const what = by.id !== undefined ? `modelSetId ${by.id}` : `modelSetName "${by.name}"`;
      throw ERRORS.ModelSetNotFoundBy(what);
    }
    return row;
  }

  async describe(accountId: string, by: { id?: string; name?: string }): Promise<ModelSetView> {
    const row = await this.require(accountId, by);
    return modelSetView(row, await this.versionsOf([row.id]).then((m) => m.get(row.id) ?? []));
  }

  async page(accountId: string, req: PageRequest & { sortBy?: SetSort; filter?: SetFilter }): Promise<SetPage> {
    const sortBy = SET_SORTS[req.sortBy ?? 'createTime'];
    const filter = req.filter ?? {};
    const page = await readPage(req, {
      marker: (id) => this.repo.findSet(accountId, { id }),
      what: 'a model set of this account',
      rows: (marker, limit) => this.repo.listSets({ accountId, sortBy, marker, limit, reverse: req.pageReverse, filter }),
    });
    const totalCount = await this.repo.countSetsMatching(accountId, filter);
    const versions = await this.versionsOf(page.items.map((r) => r.id));
    return { ...page, items: page.items.map((row) => modelSetView(row, versions.get(row.id) ?? [])), totalCount };
  }

  /** A page of a set's versions (DescribeCustomModels), paged in the database by a modelId marker. */
  async pageVersions(accountId: string, setId: string, req: PageRequest): Promise<Page<VersionSummary>> {
    const set = await this.require(accountId, { id: setId });
    const page = await readPage(req, {
      marker: async (id) => {
        const v = await this.repo.findVersion(accountId, id);
        return v?.model_set_id === set.id ? v : undefined;
      },
      what: 'a version of this model set',
      rows: (marker, limit) => this.repo.pageVersionsOfSet(set.id, { marker, limit, reverse: req.pageReverse }),
    });
    return { ...page, items: page.items.map(versionSummary) };
  }

  /** Refuses while versions remain: deleting a set must never silently delete models. */
  async delete(accountId: string, id: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      // Locked (PostgreSQL) so a version being created at this moment is either counted or refused.
      const row = await this.repo.lockSet(accountId, id, tx);
      if (!row) throw ERRORS.ModelSetNotFound(id);
      const n = await this.repo.countVersions(id, tx);
      if (n > 0) {
        throw ERRORS.ModelSetNotEmpty(id, n);
      }
      await this.repo.deleteSet(id, tx);
    });
  }

  private async versionsOf(setIds: string[]): Promise<Map<string, VersionSummary[]>> {
    const out = new Map<string, VersionSummary[]>();
    for (const v of await this.repo.listVersions(setIds)) {
      const list = out.get(v.model_set_id) ?? [];
      list.push(versionSummary(v));
      out.set(v.model_set_id, list);
    }
    return out;
  }
}
