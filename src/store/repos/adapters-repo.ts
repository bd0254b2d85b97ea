// Adapter → base bindings and recorded tensor shapes: queries only. Rules live in
// src/domain/model/adapter-base.ts and model-version-service.ts.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { dialectOf, lockRows } from '../dialect.js';
import { prepareRead } from '../prepared.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface BoundAdapter {
  id: string;
  name: string;
  status: string;
  model_set_id: string;
  set_name: string;
}

export class AdaptersRepo {
  /** DescribeModel asks on every call: compiled once (store/prepared.ts). */
  private readonly adaptersOfPrepared: (baseId: string) => Promise<BoundAdapter[]>;

  constructor(readonly db: Kysely<Database>) {
    const read = prepareRead<BoundAdapter>(db, 1, (baseId) => this.adaptersQuery(db, baseId));
    this.adaptersOfPrepared = (baseId) => read(baseId);
  }

  bind(row: { adapter_id: string; base_id: string; account_id: string; created_at: string }, db: Db = this.db): Promise<unknown> {
    return db.insertInto('adapter_bindings').values(row).execute();
  }

  /** Adapters bound to `baseId`, oldest first, with their set names. */
  adaptersOf(baseId: string, db: Db = this.db): Promise<BoundAdapter[]> {
    return db === this.db ? this.adaptersOfPrepared(baseId) : this.adaptersQuery(db, baseId).execute();
  }

  private adaptersQuery(db: Db, baseId: string) {
    return db
      .selectFrom('adapter_bindings as b')
      .innerJoin('model_versions as v', 'v.id', 'b.adapter_id')
      .innerJoin('model_sets as s', 's.id', 'v.model_set_id')
      .select(['v.id as id', 'v.name as name', 'v.status as status', 'v.model_set_id as model_set_id', 's.name as set_name'])
      .where('b.base_id', '=', baseId)
      .orderBy('b.created_at')
      .orderBy('v.id');
  }

  /** Removes what belongs to a deleted version: its own binding and its recorded shapes. */
  async forget(versionId: string, db: Db = this.db): Promise<void> {
    await db.deleteFrom('adapter_bindings').where('adapter_id', '=', versionId).execute();
    await db.deleteFrom('version_tensor_shapes').where('version_id', '=', versionId).execute();
  }

  /** True when the version exists and is Ready; locks its row until the transaction ends (PostgreSQL). */
  async lockReadyVersion(id: string, tx: Transaction<Database>): Promise<boolean> {
    const q = tx.selectFrom('model_versions').select(['id', 'status']).where('id', '=', id);
    const row = await lockRows(q, dialectOf(tx)).executeTakeFirst();
    return row?.status === 'Ready';
  }

  /** Locks a version's row (PostgreSQL) so a concurrent bind to it waits for this transaction. */
  async lockVersion(accountId: string, id: string, tx: Transaction<Database>): Promise<boolean> {
    const q = tx.selectFrom('model_versions').select('id').where('account_id', '=', accountId).where('id', '=', id);
    return (await lockRows(q, dialectOf(tx)).executeTakeFirst()) !== undefined;
  }

  putShapes(versionId: string, shapes: Record<string, number[]>, db: Db = this.db): Promise<unknown> {
    return db.insertInto('version_tensor_shapes').values({ version_id: versionId, shapes: JSON.stringify(shapes) }).execute();
  }

  async shapesOf(versionId: string, db: Db = this.db): Promise<Record<string, number[]> | null> {
    const row = await db.selectFrom('version_tensor_shapes').select('shapes').where('version_id', '=', versionId).executeTakeFirst();
    return row ? (JSON.parse(row.shapes) as Record<string, number[]>) : null;
  }
}
