// Model sets and versions: queries only. Rules (names, numbering, visibility) live in src/domain/model.
import { expressionBuilder, sql, type Expression, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { Database, ModelSetsTable, ModelVersionsTable } from '../schema.js';
import { prepareRead, prepareWrite } from '../prepared.js';
import { dialectOf, lockAccount, lockRows } from '../dialect.js';
import { keysetPage, type PageOf } from '../keyset.js';

export type ModelSetRow = Selectable<ModelSetsTable>;
export type ModelVersionRow = Selectable<ModelVersionsTable>;
type Db = Kysely<Database> | Transaction<Database>;
type VersionListRow = Pick<ModelVersionRow, 'id' | 'name' | 'model_set_id' | 'version_no' | 'status' | 'source_type' | 'created_at' | 'modified_at' | 'failure_reason' | 'failure_code' | 'failure_params' | 'description'>;

/** modelreg's extensions of DescribeCustomModelSets: order and filters, all in the database. */
export interface SetListQuery extends PageOf<ModelSetRow> {
  accountId: string;
  sortBy: 'created_at' | 'modified_at' | 'name';
  filter: SetFilter;
}

export interface SetFilter {
  /** Case-insensitive substring of the name. */
  nameContains?: string;
  /** Exactly one of the labels. */
  label?: string;
  modelType?: string;
  /** Sets with at least one version in this status. */
  versionStatus?: 'Creating' | 'Ready' | 'Fail';
  /** Sets with a version tagged with this key (and this value, when given). */
  versionTag?: { key: string; value?: string };
}

const isUnfiltered = (f: SetFilter): boolean =>
  !f.nameContains && !f.label && !f.modelType && !f.versionStatus && !f.versionTag;

/** LIKE-escapes a literal (with ESCAPE '!'), so % and _ in a search match themselves. */
const likeLiteral = (s: string): string => s.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * The filters other than the label, as conditions on model_sets. Columns are qualified: with a label
 * the query reads the label's rows (migration 0016), which have a name and an account too.
 */
function setConditions(f: SetFilter): Expression<SqlBool>[] {
  const eb = expressionBuilder<Database, 'model_sets'>();
  const out: Expression<SqlBool>[] = [];
  if (f.nameContains) out.push(sql<SqlBool>`lower(${sql.ref('model_sets.name')}) like ${`%${likeLiteral(f.nameContains.toLowerCase())}%`} escape '!'`);
  if (f.modelType) out.push(eb('model_sets.model_type', '=', f.modelType));
  if (f.versionStatus) {
    out.push(eb.exists(eb.selectFrom('model_versions as v').select('v.id').whereRef('v.model_set_id', '=', 'model_sets.id').where('v.status', '=', f.versionStatus)));
  }
  if (f.versionTag) {
    const { key, value } = f.versionTag;
    let sub = eb.selectFrom('model_version_tags as t').select('t.model_id').whereRef('t.model_set_id', '=', 'model_sets.id').where('t.tag_key', '=', key);
    if (value !== undefined) sub = sub.where('t.tag_value', '=', value);
    out.push(eb.exists(sub));
  }
  return out;
}

export class ModelsRepo {
  constructor(readonly db: Kysely<Database>) {
    this.versionWithSet = prepareRead<ModelVersionRow & { set_name: string; adapter_count: number | string }>(db, 2, (account, id) =>
      db
        .selectFrom('model_versions as v')
        .innerJoin('model_sets as s', 's.id', 'v.model_set_id')
        .selectAll('v')
        .select('s.name as set_name')
        // Adapters bound to this version (migration 0009): listed by a second read only when there are some.
        .select((eb) => eb.selectFrom('adapter_bindings as ab').select(eb.fn.countAll().as('n')).whereRef('ab.base_id', '=', 'v.id').as('adapter_count'))
        .where('v.account_id', '=', account)
        .where('v.id', '=', id),
    );
    this.setInsert = prepareWrite(db, 9, (id, account, name, type, labels, source, next, created, modified) =>
      db.insertInto('model_sets').values({ id, account_id: account, name, model_type: type, labels, source, next_version: next as unknown as number, created_at: created, modified_at: modified }),
    );
    this.setById = prepareRead<ModelSetRow>(db, 2, (account, id) => db.selectFrom('model_sets').selectAll().where('account_id', '=', account).where('id', '=', id));
    // Kept by triggers on model_sets (migration 0015): one primary-key read, whatever the account's size.
    this.setCount = prepareRead(db, 1, (account) => db.selectFrom('model_set_counts').select('n').where('account_id', '=', account));
    this.setPages = ([false, true] as const).map((reverse) =>
      ([false, true] as const).map((withMarker) =>
        // The keyset every listing uses (store/keyset.ts), compiled once with its values as parameters.
        prepareRead<ModelSetRow>(db, withMarker ? 4 : 2, (account, limit, createdAt, id) =>
          keysetPage(db.selectFrom('model_sets').selectAll().where('account_id', '=', account), ['created_at', 'id'], {
            reverse,
            limit: limit as never,
            ...(withMarker ? { from: [createdAt as never, id as never] } : {}),
          }),
        ),
      ),
    );
  }

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // CreateCustomModelSet's and the marker lookup's statements, compiled once (store/prepared.ts).
  private readonly setInsert: (...args: unknown[]) => Promise<void>;
  private readonly setById: (...args: unknown[]) => Promise<ModelSetRow[]>;
  /** [forward, reverse] × [from the start, from a marker]; the limit is a parameter. */
  private readonly setPages: Array<Array<(...args: unknown[]) => Promise<ModelSetRow[]>>>;
  /** The account's count of sets (the listing's totalCount without a filter, the sets quota). */
  private readonly setCount: (...args: unknown[]) => Promise<{ n: number | string | bigint }[]>;
  /** listVersions by the number of sets asked about (1 … 101, a page and its look-ahead). */
  private readonly versionLists = new Map<number, (...args: unknown[]) => Promise<VersionListRow[]>>();

  insertSet(row: ModelSetRow, db: Db = this.db): Promise<unknown> {
    if (db === this.db) {
      return this.setInsert(row.id, row.account_id, row.name, row.model_type, row.labels, row.source, row.next_version, row.created_at, row.modified_at);
    }
    return db.insertInto('model_sets').values(row).execute();
  }

  async findSet(accountId: string, by: { id?: string; name?: string }, db: Db = this.db): Promise<ModelSetRow | undefined> {
    if (db === this.db && by.id !== undefined && by.name === undefined) return (await this.setById(accountId, by.id))[0];
    let q = db.selectFrom('model_sets').selectAll().where('account_id', '=', accountId);
    if (by.id !== undefined) q = q.where('id', '=', by.id);
    if (by.name !== undefined) q = q.where('name', '=', by.name);
    return q.executeTakeFirst();
  }

  /** The account's quota lock until `tx` ends (store/dialect.ts): quota count and insert as one. */
  lockAccount(accountId: string, tx: Transaction<Database>): Promise<void> {
    return lockAccount(tx, accountId);
  }

  /**
   * The set, locked for the rest of the transaction `tx` (PostgreSQL): a concurrent delete of the
   * set and a concurrent version create then run one after the other, never interleaved.
   */
  lockSet(accountId: string, id: string, tx: Transaction<Database>): Promise<ModelSetRow | undefined> {
    const q = tx.selectFrom('model_sets').selectAll().where('account_id', '=', accountId).where('id', '=', id);
    return lockRows(q, dialectOf(tx)).executeTakeFirst();
  }

  /**
   * A page of sets in the asked order, filtered in the database: a range of the index
   * (account_id, created_at, id), (account_id, modified_at, id) or (account_id, name) — a name is
   * unique in its account, so it needs no id to break ties — from the marker row; with a label, the
   * same range of the label's rows (account_id, label, key…), migration 0016.
   */
  listSets(p: SetListQuery): Promise<ModelSetRow[]> {
    // Qianfan's own listing (no filter, by creation): the statements compiled once (bench/README.md).
    if (p.sortBy === 'created_at' && isUnfiltered(p.filter)) {
      const m = p.marker;
      const read = this.setPages[p.reverse ? 1 : 0]![m ? 1 : 0]!;
      return m ? read(p.accountId, p.limit, m.created_at, m.id) : read(p.accountId, p.limit);
    }
    const m = p.marker;
    const conditions = setConditions(p.filter);
    if (p.filter.label) {
      // The label's rows carry the set's sort keys (equal to the set's own), so the page is a range
      // of the label's (account_id, label, key…) index from the marker, each set read by its key.
      const q = this.labelledSets(p.accountId, p.filter.label, conditions).selectAll('model_sets');
      if (p.sortBy === 'name') return keysetPage(q, ['l.name'], { ...p, from: m && [m.name] }).execute();
      return keysetPage(q, [`l.${p.sortBy}`, 'l.model_set_id'], { ...p, from: m && [m[p.sortBy], m.id] }).execute();
    }
    const q = this.accountSets(p.accountId, conditions).selectAll();
    if (p.sortBy === 'name') return keysetPage(q, ['name'], { ...p, from: m && [m.name] }).execute();
    return keysetPage(q, [p.sortBy, 'id'], { ...p, from: m && [m[p.sortBy], m.id] }).execute();
  }

  async countSetsMatching(accountId: string, filter: SetFilter): Promise<number> {
    if (isUnfiltered(filter)) return this.countSets(accountId);
    const conditions = setConditions(filter);
    if (filter.label && conditions.length === 0) {
      // Kept by triggers on model_sets (migration 0016): one primary-key read, whatever the label's size.
      const r = await this.db.selectFrom('model_set_label_counts').select('n').where('account_id', '=', accountId).where('label', '=', filter.label).executeTakeFirst();
      return Number(r?.n ?? 0);
    }
    const count = sql<number | string | bigint>`count(*)`.as('n');
    const q = filter.label ? this.labelledSets(accountId, filter.label, conditions).select(count) : this.accountSets(accountId, conditions).select(count);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private accountSets(accountId: string, conditions: Expression<SqlBool>[]) {
    const q = this.db.selectFrom('model_sets').where('model_sets.account_id', '=', accountId);
    return conditions.length ? q.where((eb) => eb.and(conditions)) : q;
  }

  /** The account's sets with this label, through the label's rows (migration 0016). */
  private labelledSets(accountId: string, label: string, conditions: Expression<SqlBool>[]) {
    const q = this.db
      .selectFrom('model_set_labels as l')
      .innerJoin('model_sets', 'model_sets.id', 'l.model_set_id')
      .where('l.account_id', '=', accountId)
      .where('l.label', '=', label);
    return conditions.length ? q.where((eb) => eb.and(conditions)) : q;
  }

  deleteSet(id: string, db: Db = this.db): Promise<unknown> {
    return db.deleteFrom('model_sets').where('id', '=', id).execute();
  }

  /** Hands out the next version number; the row lock serialises concurrent creates. */
  async takeVersionNumber(setId: string, db: Db): Promise<number> {
    const row = await db
      .updateTable('model_sets')
      .set({ next_version: sql`next_version + 1` })
      .where('id', '=', setId)
      .returning('next_version')
      .executeTakeFirstOrThrow();
    return Number(row.next_version) - 1;
  }

  touchSet(setId: string, at: string, db: Db): Promise<unknown> {
    return db.updateTable('model_sets').set({ modified_at: at }).where('id', '=', setId).execute();
  }

  insertVersion(row: ModelVersionRow, db: Db): Promise<unknown> {
    return db.insertInto('model_versions').values(row).execute();
  }

  findVersion(accountId: string, id: string, db: Db = this.db): Promise<ModelVersionRow | undefined> {
    return db.selectFrom('model_versions').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** DescribeModel's one read: the version and its set's name, compiled once (store/prepared.ts). */
  private readonly versionWithSet;

  async findVersionWithSet(accountId: string, id: string): Promise<(ModelVersionRow & { set_name: string; adapter_count: number | string }) | undefined> {
    return (await this.versionWithSet(accountId, id))[0];
  }

  /** id, account and status of the given versions that exist (for the registry janitor, and each local download). */
  versionStates(ids: string[]): Promise<Pick<ModelVersionRow, 'id' | 'account_id' | 'status'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('model_versions').select(['id', 'account_id', 'status']).where('id', 'in', ids).execute();
  }

  findVersionById(id: string, db: Db = this.db): Promise<ModelVersionRow | undefined> {
    return db.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listVersions(setIds: string[]): Promise<VersionListRow[]> {
    if (setIds.length === 0) return Promise.resolve([]);
    const n = setIds.length;
    let list = n <= 101 ? this.versionLists.get(n) : undefined;
    if (!list) {
      list = prepareRead<VersionListRow>(this.db, n, (...ids) =>
        this.db
          .selectFrom('model_versions')
          .select(['id', 'name', 'model_set_id', 'version_no', 'status', 'source_type', 'created_at', 'modified_at', 'failure_reason', 'failure_code', 'failure_params', 'description'])
          .where('model_set_id', 'in', ids)
          .orderBy('model_set_id')
          .orderBy('version_no'),
      );
      if (n <= 101) this.versionLists.set(n, list);
    }
    return list(...setIds);
  }

  /**
   * A page of a set's versions in version order from the marker version: one range scan of the
   * (model_set_id, version_no) unique index, whatever the depth.
   */
  pageVersionsOfSet(setId: string, p: PageOf<Pick<ModelVersionRow, 'version_no'>>): Promise<VersionListRow[]> {
    const q = this.db
      .selectFrom('model_versions')
      .select(['id', 'name', 'model_set_id', 'version_no', 'status', 'source_type', 'created_at', 'modified_at', 'failure_reason', 'failure_code', 'failure_params', 'description'])
      .where('model_set_id', '=', setId);
    return keysetPage(q, ['version_no'], { ...p, from: p.marker && [p.marker.version_no] }).execute();
  }

  /** Versions of a set from one source type that are not Fail (Creating or Ready). */
  liveVersionsOfSet(setId: string, sourceType: string, db: Db = this.db): Promise<Pick<ModelVersionRow, 'id' | 'name' | 'status' | 'source_meta'>[]> {
    return db
      .selectFrom('model_versions')
      .select(['id', 'name', 'status', 'source_meta'])
      .where('model_set_id', '=', setId)
      .where('source_type', '=', sourceType as ModelVersionRow['source_type'])
      .where('status', '!=', 'Fail')
      .execute();
  }

  async countVersions(setId: string, db: Db = this.db): Promise<number> {
    const r = await db.selectFrom('model_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('model_set_id', '=', setId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async deleteVersion(id: string, db: Db): Promise<unknown> {
    await db.deleteFrom('model_version_tags').where('model_id', '=', id).execute();
    return db.deleteFrom('model_versions').where('id', '=', id).execute();
  }

  updateVersion(id: string, patch: Partial<ModelVersionRow>, db: Db = this.db): Promise<unknown> {
    return db.updateTable('model_versions').set(patch).where('id', '=', id).execute();
  }

  /** Train versions published from a fine-tuning task (lineage), newest first. */
  async versionsFromTask(accountId: string, taskId: string): Promise<Array<{ id: string; name: string; status: string; model_set_id: string; set_name: string; source_meta: string; created_at: string }>> {
    const rows = await this.db
      .selectFrom('model_versions as v')
      .innerJoin('model_sets as s', 's.id', 'v.model_set_id')
      .select(['v.id', 'v.name', 'v.status', 'v.model_set_id', 's.name as set_name', 'v.source_meta', 'v.created_at'])
      .where('v.account_id', '=', accountId)
      .where('v.source_type', '=', 'Train')
      .where(sql<boolean>`v.source_meta like ${`%${likeLiteral(JSON.stringify(taskId))}%`} escape '!'`)
      .orderBy('v.created_at', 'desc')
      .execute();
    // The LIKE narrows; the parsed sourceInfo decides.
    return rows.filter((r) => {
      try {
        return (JSON.parse(r.source_meta) as { sourceInfo?: { trainTaskId?: unknown } }).sourceInfo?.trainTaskId === taskId;
      } catch {
        return false;
      }
    });
  }

  /** An account's model sets (the sets quota). */
  async countSets(accountId: string, db: Db = this.db): Promise<number> {
    const row = db === this.db ? (await this.setCount(accountId))[0] : await db.selectFrom('model_set_counts').select('n').where('account_id', '=', accountId).executeTakeFirst();
    return row ? Number(row.n) : 0;
  }

  /** What the version and import quotas count (src/domain/quotas.ts). */
  async versionUsage(accountId: string, setId: string, db: Db = this.db): Promise<{ versions: number; versionsOfSet: number; liveJobs: number }> {
    const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) => Number((await q.executeTakeFirstOrThrow()).n);
    // One after the other: on PostgreSQL `db` may be a transaction, i.e. one connection.
    const versions = await count(db.selectFrom('model_versions').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId));
    const versionsOfSet = await count(db.selectFrom('model_versions').select((eb) => eb.fn.countAll().as('n')).where('model_set_id', '=', setId));
    const liveJobs = await count(db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('status', 'in', ['queued', 'running']));
    return { versions, versionsOfSet, liveJobs };
  }
}
