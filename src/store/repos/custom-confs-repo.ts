// Uploaded custom chat-template files (CreateModelCustomConf).
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CustomConfsTable, Database } from '../schema.js';
import { lockAccount } from '../dialect.js';

type Db = Kysely<Database> | Transaction<Database>;

export type CustomConfRow = Selectable<CustomConfsTable>;

export class CustomConfsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** The account's quota lock until `tx` ends (store/dialect.ts): quota count and insert as one. */
  lockAccount(accountId: string, tx: Transaction<Database>): Promise<void> {
    return lockAccount(tx, accountId);
  }

  insert(row: CustomConfRow, db: Db = this.db): Promise<unknown> {
    return db.insertInto('custom_confs').values(row).execute();
  }

  /** Count and total bytes of an account's templates (the template quotas). */
  async usage(accountId: string, db: Db = this.db): Promise<{ count: number; bytes: number }> {
    const r = await db
      .selectFrom('custom_confs')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum<number>('size').as('bytes')])
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return { count: Number(r.n), bytes: Number(r.bytes ?? 0) };
  }

  /** True when a template was deleted. */
  async delete(accountId: string, fileName: string): Promise<boolean> {
    const r = await this.db.deleteFrom('custom_confs').where('account_id', '=', accountId).where('file_name', '=', fileName).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  find(accountId: string, fileName: string): Promise<CustomConfRow | undefined> {
    return this.db.selectFrom('custom_confs').selectAll().where('account_id', '=', accountId).where('file_name', '=', fileName).executeTakeFirst();
  }
}
