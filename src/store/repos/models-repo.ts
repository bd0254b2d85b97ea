// Model sets and versions: queries only. Rules (names, numbering, visibility) live in src/domain/model.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, JobsTable, ModelSetsTable, ModelVersionsTable } from '../schema.js';
import { prepareRead, prepareWrite } from '../prepared.js';
import { dialectOf, lockRows } from '../dialect.js';

export type ModelSetRow = Selectable<ModelSetsTable>;
export type ModelVersionRow = Selectable<ModelVersionsTable>;
export type JobRow = Selectable<JobsTable>;
type Db = Kysely<Database> | Transaction<Database>;
type VersionListRow = Pick<ModelVersionRow, 'id' | 'name' | 'model_set_id' | 'version_no' | 'status' | 'source_type' | 'created_at' | 'modified_at' | 'failure_reason' | 'description'>;

export interface PageQuery {
  accountId: string;
  /** Inclusive: the first row of the page. */
  marker?: { createdAt: string; id: string };
  limit: number;
  reverse: boolean;
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
    this.setPages = ([false, true] as const).map((reverse) =>
      ([false, true] as const).map((withMarker) =>
        prepareRead<ModelSetRow>(db, withMarker ? 4 : 2, (account, limit, createdAt, id) => {
          const dir = reverse ? 'desc' : 'asc';
          let q = db.selectFrom('model_sets').selectAll().where('account_id', '=', account);
          // A row-value comparison, which both databases turn into one range scan of the
          // (account_id, created_at, id) index: a deep page costs what the first one does.
          if (withMarker) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), reverse ? '<=' : '>=', eb.tuple(createdAt!, id!)));
          return q.orderBy('created_at', dir).orderBy('id', dir).limit(limit as unknown as number);
        }),
      ),
    );
  }

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // The listing's and CreateCustomModelSet's statements, compiled once (store/prepared.ts).
  private readonly setInsert: (...args: unknown[]) => Promise<void>;
  private readonly setById: (...args: unknown[]) => Promise<ModelSetRow[]>;
  /** [forward, reverse] × [from the start, from a marker]; the limit is a parameter. */
  private readonly setPages: Array<Array<(...args: unknown[]) => Promise<ModelSetRow[]>>>;
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

  /**
   * The set, locked for the rest of the transaction `tx` (PostgreSQL): a concurrent delete of the
   * set and a concurrent version create then run one after the other, never interleaved.
   */
  lockSet(accountId: string, id: string, tx: Transaction<Database>): Promise<ModelSetRow | undefined> {
    const q = tx.selectFrom('model_sets').selectAll().where('account_id', '=', accountId).where('id', '=', id);
    return lockRows(q, dialectOf(tx)).executeTakeFirst();
  }

  /** A page of sets ordered by (created_at, id); the marker row starts the page. */
  pageSets(p: PageQuery): Promise<ModelSetRow[]> {
    const page = this.setPages[p.reverse ? 1 : 0]![p.marker ? 1 : 0]!;
    return p.marker ? page(p.accountId, p.limit, p.marker.createdAt, p.marker.id) : page(p.accountId, p.limit);
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

  /** id, account and status of the given versions that exist (for the registry janitor). */
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
          .select(['id', 'name', 'model_set_id', 'version_no', 'status', 'source_type', 'created_at', 'modified_at', 'failure_reason', 'description'])
          .where('model_set_id', 'in', ids)
          .orderBy('model_set_id')
          .orderBy('version_no'),
      );
      if (n <= 101) this.versionLists.set(n, list);
    }
    return list(...setIds);
  }

  /**
   * A page of a set's versions in version order, from `fromVersionNo` (inclusive) when given: one
   * range scan of the (model_set_id, version_no) unique index, whatever the depth.
   */
  pageVersionsOfSet(setId: string, p: { fromVersionNo?: number; limit: number; reverse: boolean }): Promise<VersionListRow[]> {
    let q = this.db
      .selectFrom('model_versions')
      .select(['id', 'name', 'model_set_id', 'version_no', 'status', 'source_type', 'created_at', 'modified_at', 'failure_reason', 'description'])
      .where('model_set_id', '=', setId);
    if (p.fromVersionNo !== undefined) q = q.where('version_no', p.reverse ? '<=' : '>=', p.fromVersionNo);
    return q.orderBy('version_no', p.reverse ? 'desc' : 'asc').limit(p.limit).execute();
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

  deleteVersion(id: string, db: Db): Promise<unknown> {
    return db.deleteFrom('model_versions').where('id', '=', id).execute();
  }

  updateVersion(id: string, patch: Partial<ModelVersionRow>, db: Db = this.db): Promise<unknown> {
    return db.updateTable('model_versions').set(patch).where('id', '=', id).execute();
  }

  insertJob(row: JobRow, db: Db): Promise<unknown> {
    return db.insertInto('jobs').values(row).execute();
  }

  deleteJobsOf(subjectId: string, db: Db): Promise<unknown> {
    return db.deleteFrom('jobs').where('subject_id', '=', subjectId).execute();
  }

  /** An account's model sets (the sets quota). */
  async countSets(accountId: string, db: Db = this.db): Promise<number> {
    const r = await db.selectFrom('model_sets').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
    return Number(r.n);
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
