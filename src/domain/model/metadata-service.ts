// Editable metadata (issue 15, UpdateModelSet / UpdateModel): a set's description (Markdown) and
// labels, a version's description and its key/value tags (MLflow-style, searchable with
// DescribeCustomModelSets' versionTag). Everything else about a set or version stays immutable.
import { ERRORS } from '../errors/catalogue.js';
import { nowIso } from '../time.js';
import type { MetadataRepo } from '../../store/repos/metadata-repo.js';
import type { ModelsRepo } from '../../store/repos/models-repo.js';

export const TAG_KEY = /^[A-Za-z0-9_.:/-][A-Za-z0-9_.:/ -]{0,63}$/;
export const MAX_TAGS = 50;
export const MAX_TAG_VALUE = 256;

export class MetadataService {
  constructor(
    private readonly repo: Pick<MetadataRepo, 'replaceTags' | 'tagsOf' | 'transaction' | 'updateSet' | 'updateVersion'>,
    private readonly models: Pick<ModelsRepo, 'findVersion' | 'versionsFromTask'>,
  ) {}

  async updateSet(accountId: string, id: string, input: { description?: string; labels?: string[] }): Promise<void> {
    if (input.description === undefined && input.labels === undefined) throw ERRORS.NothingToUpdate('description and/or labels');
    const patch: { description?: string | null; labels?: string; modified_at: string } = { modified_at: nowIso() };
    if (input.description !== undefined) patch.description = input.description === '' ? null : input.description;
    if (input.labels !== undefined) patch.labels = JSON.stringify(dedupe(input.labels.map((l) => l.trim()).filter(Boolean)));
    if (!(await this.repo.updateSet(accountId, id, patch))) throw ERRORS.ModelSetNotFound(id);
  }

  async updateVersion(accountId: string, modelId: string, input: { description?: string; tags?: Record<string, string> }): Promise<void> {
    if (input.description === undefined && input.tags === undefined) throw ERRORS.NothingToUpdate('description and/or tags');
    if (input.tags) checkTags(input.tags);
    await this.repo.transaction(async (tx) => {
      const v = await this.models.findVersion(accountId, modelId, tx);
      if (!v) throw ERRORS.ModelVersionNotFound(modelId);
      const at = nowIso();
      await this.repo.updateVersion(accountId, modelId, { ...(input.description !== undefined ? { description: input.description === '' ? null : input.description } : {}), modified_at: at }, tx);
      if (input.tags) await this.repo.replaceTags(v, input.tags, tx);
    });
  }

  /** Lineage: the versions published from a fine-tuning task (DescribeFineTuningTask's publishedModels). */
  async publishedFrom(accountId: string, taskId: string): Promise<Array<{ modelSetId: string; modelSetName: string; modelId: string; modelName: string; status: string; checkpointStep?: number }>> {
    const rows = await this.models.versionsFromTask(accountId, taskId);
    return rows.map((r) => {
      const step = (JSON.parse(r.source_meta) as { sourceInfo?: { checkpointStep?: unknown } }).sourceInfo?.checkpointStep;
      return { modelSetId: r.model_set_id, modelSetName: r.set_name, modelId: r.id, modelName: r.name, status: r.status, ...(typeof step === 'number' ? { checkpointStep: step } : {}) };
    });
  }

  async tagsOf(modelId: string): Promise<Record<string, string>> {
    return (await this.repo.tagsOf([modelId])).get(modelId) ?? {};
  }
}

function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw ERRORS.TooManyTags(MAX_TAGS, keys.length);
  for (const k of keys) {
    if (!TAG_KEY.test(k)) throw ERRORS.InvalidTagKey(k);
    const v = tags[k];
    if (typeof v !== 'string') throw ERRORS.FieldInvalid(`tags.${k}`, 'must be a string');
    if (v.length > MAX_TAG_VALUE) throw ERRORS.FieldInvalid(`tags.${k}`, `must be at most ${MAX_TAG_VALUE} characters`);
  }
}

const dedupe = (xs: string[]): string[] => [...new Set(xs)];
