// Export tasks (CreateModelExportTask): queries only.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, ModelExportsTable } from '../schema.js';

export type ExportRow = Selectable<ModelExportsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export class ExportsRepo {
  constructor(readonly db: Kysely<Database>) {}

  insert(row: ExportRow, db: Db = this.db): Promise<unknown> {
    return db.insertInto('model_exports').values(row).execute();
  }

  async get(id: string, db: Db = this.db): Promise<ExportRow | undefined> {
    return norm(await db.selectFrom('model_exports').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async latestFor(accountId: string, versionId: string): Promise<ExportRow | undefined> {
    return norm(
      await this.db
        .selectFrom('model_exports')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('version_id', '=', versionId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
  }

  allFor(versionId: string): Promise<ExportRow[]> {
    return this.db.selectFrom('model_exports').selectAll().where('version_id', '=', versionId).execute();
  }

  update(id: string, patch: Partial<ExportRow>, db: Db = this.db): Promise<unknown> {
    return db.updateTable('model_exports').set(patch).where('id', '=', id).execute();
  }

  delete(id: string, db: Db = this.db): Promise<unknown> {
    return db.deleteFrom('model_exports').where('id', '=', id).execute();
  }
}

/** PostgreSQL returns bigint columns as strings. */
const norm = (r: ExportRow | undefined): ExportRow | undefined => (r && r.size !== null ? { ...r, size: Number(r.size) } : r);
