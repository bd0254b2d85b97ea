// Editable metadata (issue 15): set descriptions and labels, version descriptions, version tags.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { prepareRead } from '../prepared.js';

type Db = Kysely<Database> | Transaction<Database>;

export class MetadataRepo {
  /** One version's tags (DescribeModel's path): compiled once (src/store/prepared.ts). */
  private readonly tagsOfOne: (modelId: string) => Promise<{ tag_key: string; tag_value: string }[]>;

  constructor(readonly db: Kysely<Database>) {
    const read = prepareRead<{ tag_key: string; tag_value: string }>(db, 1, (id) =>
      db.selectFrom('model_version_tags').select(['tag_key', 'tag_value']).where('model_id', '=', id).orderBy('tag_key'),
    );
    this.tagsOfOne = (id) => read(id);
  }

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async updateSet(accountId: string, id: string, patch: { description?: string | null; labels?: string; modified_at: string }, db: Db = this.db): Promise<boolean> {
    const r = await db.updateTable('model_sets').set(patch).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateVersion(accountId: string, id: string, patch: { description?: string | null; modified_at: string }, db: Db = this.db): Promise<boolean> {
    const r = await db.updateTable('model_versions').set(patch).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Replaces every tag of a version. */
  async replaceTags(v: { id: string; model_set_id: string; account_id: string }, tags: Record<string, string>, db: Db): Promise<void> {
    await db.deleteFrom('model_version_tags').where('model_id', '=', v.id).execute();
    const rows = Object.entries(tags).map(([tag_key, tag_value]) => ({ model_id: v.id, tag_key, tag_value, model_set_id: v.model_set_id, account_id: v.account_id }));
    if (rows.length) await db.insertInto('model_version_tags').values(rows).execute();
  }

  /** Tags of the given versions: model id → { key: value }, keys sorted. */
  async tagsOf(modelIds: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (modelIds.length === 0) return out;
    if (modelIds.length === 1) {
      const rows = await this.tagsOfOne(modelIds[0]!);
      if (rows.length) out.set(modelIds[0]!, Object.fromEntries(rows.map((r) => [r.tag_key, r.tag_value])));
      return out;
    }
    const rows = await this.db.selectFrom('model_version_tags').select(['model_id', 'tag_key', 'tag_value']).where('model_id', 'in', modelIds).orderBy('model_id').orderBy('tag_key').execute();
    for (const r of rows) {
      const t = out.get(r.model_id) ?? {};
      t[r.tag_key] = r.tag_value;
      out.set(r.model_id, t);
    }
    return out;
  }

  deleteTagsOf(modelId: string, db: Db): Promise<unknown> {
    return db.deleteFrom('model_version_tags').where('model_id', '=', modelId).execute();
  }
}
