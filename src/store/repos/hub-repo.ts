// Read tokens and model-set aliases: queries only. Rules live in src/domain/hub.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, ModelSetAliasEventsTable, ModelSetAliasesTable, ReadTokensTable } from '../schema.js';
import { dialectOf, lockRows } from '../dialect.js';
import { prepareRead } from '../prepared.js';
import { keysetPage, type KeysetPage } from '../keyset.js';
import type { ModelSetRow, ModelVersionRow } from './models-repo.js';

export type ReadTokenRow = Selectable<ReadTokensTable>;
export type AliasRow = Selectable<ModelSetAliasesTable>;
export type AliasEventRow = Selectable<ModelSetAliasEventsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export class HubRepo {
  // The reads of every Hub request, compiled once (store/prepared.ts).
  private readonly tokenRead;
  private readonly setRead;
  private readonly versionByName;
  private readonly aliasRead;
  /** DescribeModel lists a version's aliases on every call: compiled once. */
  private readonly aliasesOfVersionRead;
  private readonly readyRead;
  private readonly commitRead;
  private readonly commitlessRead;

  constructor(readonly db: Kysely<Database>) {
    this.tokenRead = prepareRead<ReadTokenRow & { account_name: string }>(db, 1, (hash) =>
      db.selectFrom('read_tokens as t').innerJoin('accounts as a', 'a.id', 't.account_id').selectAll('t').select('a.name as account_name').where('t.token_hash', '=', hash),
    );
    this.setRead = prepareRead<ModelSetRow>(db, 2, (account, name) => db.selectFrom('model_sets').selectAll().where('account_id', '=', account).where('name', '=', name));
    this.versionByName = prepareRead<ModelVersionRow>(db, 2, (setId, name) => db.selectFrom('model_versions').selectAll().where('model_set_id', '=', setId).where('name', '=', name));
    this.readyRead = prepareRead<ModelVersionRow>(db, 2, (setId, status) =>
      db.selectFrom('model_versions').selectAll().where('model_set_id', '=', setId).where('status', '=', status as ModelVersionRow['status']).orderBy('version_no', 'desc'),
    );
    // Both seek model_versions_set_commit (migration 0017): a set's versions with one commit, or
    // with none yet, newest first, whatever the set's size.
    this.commitRead = prepareRead<ModelVersionRow>(db, 3, (setId, commit, status) =>
      db
        .selectFrom('model_versions')
        .selectAll()
        .where('model_set_id', '=', setId)
        .where('commit_id', '=', commit)
        .where('status', '=', status as ModelVersionRow['status'])
        .orderBy('version_no', 'desc')
        .limit(1),
    );
    this.commitlessRead = prepareRead<ModelVersionRow>(db, 2, (setId, status) =>
      db
        .selectFrom('model_versions')
        .selectAll()
        .where('model_set_id', '=', setId)
        .where('commit_id', 'is', null)
        .where('status', '=', status as ModelVersionRow['status'])
        .orderBy('version_no', 'desc'),
    );
    this.aliasRead = prepareRead<AliasRow>(db, 2, (setId, alias) => db.selectFrom('model_set_aliases').selectAll().where('model_set_id', '=', setId).where('alias', '=', alias));
    this.aliasesOfVersionRead = prepareRead<AliasRow>(db, 1, (modelId) => db.selectFrom('model_set_aliases').selectAll().where('model_id', '=', modelId).orderBy('alias'));
  }

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // ------------------------------------------------------------------ read tokens

  insertToken(row: ReadTokenRow): Promise<unknown> {
    return this.db.insertInto('read_tokens').values(row).execute();
  }

  /** Read on every Hub request (no cache: a revocation counts at the next request). */
  async tokenByHash(hash: string): Promise<(ReadTokenRow & { account_name: string }) | undefined> {
    return (await this.tokenRead(hash))[0];
  }

  /** Every token (unpaged: an account holds few), oldest first: a scan of (account_id, created_at, id). */
  listTokens(accountId?: string): Promise<(ReadTokenRow & { account_name: string })[]> {
    let q = this.db.selectFrom('read_tokens as t').innerJoin('accounts as a', 'a.id', 't.account_id').selectAll('t').select('a.name as account_name');
    // On both sides of the join, so the account row is looked up once rather than scanned.
    if (accountId) q = q.where('t.account_id', '=', accountId).where('a.id', '=', accountId);
    return q.orderBy('t.created_at').orderBy('t.id').execute();
  }

  findToken(id: string): Promise<ReadTokenRow | undefined> {
    return this.db.selectFrom('read_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    const r = await this.db.updateTable('read_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // ------------------------------------------------------------------ aliases

  aliasesOfSet(setId: string, db: Db = this.db): Promise<(AliasRow & { model_name: string })[]> {
    return db
      .selectFrom('model_set_aliases as a')
      .innerJoin('model_versions as v', 'v.id', 'a.model_id')
      .selectAll('a')
      .select('v.name as model_name')
      .where('a.model_set_id', '=', setId)
      .orderBy('a.alias')
      .execute();
  }

  aliasesOfVersion(modelId: string, db: Db = this.db): Promise<AliasRow[]> {
    if (db === this.db) return this.aliasesOfVersionRead(modelId);
    return db.selectFrom('model_set_aliases').selectAll().where('model_id', '=', modelId).orderBy('alias').execute();
  }

  async findAlias(setId: string, alias: string, db?: Db): Promise<AliasRow | undefined> {
    if (!db) return (await this.aliasRead(setId, alias))[0];
    return db.selectFrom('model_set_aliases').selectAll().where('model_set_id', '=', setId).where('alias', '=', alias).executeTakeFirst();
  }

  /** The version, locked until `tx` ends (PostgreSQL): a concurrent DeleteModel waits for the alias. */
  lockVersion(accountId: string, id: string, tx: Transaction<Database>): Promise<ModelVersionRow | undefined> {
    const q = tx.selectFrom('model_versions').selectAll().where('account_id', '=', accountId).where('id', '=', id);
    return lockRows(q, dialectOf(tx)).executeTakeFirst();
  }

  insertAlias(row: AliasRow, tx: Db): Promise<unknown> {
    return tx.insertInto('model_set_aliases').values(row).execute();
  }

  updateAlias(setId: string, alias: string, patch: Pick<AliasRow, 'model_id' | 'modified_by' | 'modified_at'>, tx: Db): Promise<unknown> {
    return tx.updateTable('model_set_aliases').set(patch).where('model_set_id', '=', setId).where('alias', '=', alias).execute();
  }

  deleteAlias(setId: string, alias: string, tx: Db): Promise<unknown> {
    return tx.deleteFrom('model_set_aliases').where('model_set_id', '=', setId).where('alias', '=', alias).execute();
  }

  insertEvent(row: AliasEventRow, tx: Db): Promise<unknown> {
    return tx.insertInto('model_set_alias_events').values(row).execute();
  }

  /** Newest first (reverse): one range scan of (model_set_id, at, id). */
  events(setId: string, opts: KeysetPage & { alias?: string }): Promise<AliasEventRow[]> {
    let q = this.db.selectFrom('model_set_alias_events').selectAll().where('model_set_id', '=', setId);
    if (opts.alias !== undefined) q = q.where('alias', '=', opts.alias);
    return keysetPage(q, ['at', 'id'], opts).execute();
  }

  // ------------------------------------------------------------------ what a revision names

  /** Newest first. */
  readyVersionsOfSet(setId: string): Promise<ModelVersionRow[]> {
    return this.readyRead(setId, 'Ready');
  }

  /** The newest Ready version of the set whose recorded commit is `commit`: one index seek. */
  async readyVersionByCommit(setId: string, commit: string): Promise<ModelVersionRow | undefined> {
    return (await this.commitRead(setId, commit, 'Ready'))[0];
  }

  /** The set's Ready versions with no commit recorded yet (made Ready before migration 0017), newest first. */
  readyVersionsWithoutCommit(setId: string): Promise<ModelVersionRow[]> {
    return this.commitlessRead(setId, 'Ready');
  }

  /**
   * Records a Ready version's commit if none is recorded. Idempotent: the commit is derived from
   * the manifest, so concurrent fillers (two replicas) write the same value, and a version deleted
   * meanwhile is simply not updated.
   */
  async recordCommit(versionId: string, commit: string): Promise<void> {
    await this.db.updateTable('model_versions').set({ commit_id: commit }).where('id', '=', versionId).where('status', '=', 'Ready').where('commit_id', 'is', null).execute();
  }

  /** A set by its name within an account (the Hub's repo id). */
  async setByName(accountId: string, name: string): Promise<ModelSetRow | undefined> {
    return (await this.setRead(accountId, name))[0];
  }

  async versionOfSet(setId: string, by: { id?: string; name?: string }): Promise<ModelVersionRow | undefined> {
    if (by.name !== undefined && by.id === undefined) return (await this.versionByName(setId, by.name))[0];
    let q = this.db.selectFrom('model_versions').selectAll().where('model_set_id', '=', setId);
    if (by.id !== undefined) q = q.where('id', '=', by.id);
    if (by.name !== undefined) q = q.where('name', '=', by.name);
    return q.executeTakeFirst();
  }
}
