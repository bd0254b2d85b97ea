// Accounts and access keys: rows in, rows out. Policy decisions live in src/domain/iam.
import type { Kysely, Selectable } from 'kysely';
import type { AccessKeysTable, AccountsTable, Database } from '../schema.js';
import { prepareRead } from '../prepared.js';

export type AccountRow = Selectable<AccountsTable>;
export type AccessKeyRow = Selectable<AccessKeysTable>;

export class AccountsRepo {
  constructor(private readonly db: Kysely<Database>) {
    this.keyByAccessKey = prepareRead<AccessKeyRow>(db, 1, (ak) => db.selectFrom('access_keys').selectAll().where('access_key', '=', ak));
  }

  insertAccount(row: AccountRow): Promise<unknown> {
    return this.db.insertInto('accounts').values(row).execute();
  }

  findAccountByName(name: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
  }

  findAccountById(id: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listAccounts(): Promise<AccountRow[]> {
    return this.db.selectFrom('accounts').selectAll().orderBy('name').execute();
  }

  insertKey(row: AccessKeyRow): Promise<unknown> {
    return this.db.insertInto('access_keys').values(row).execute();
  }

  /** Read on every signed request: compiled once (store/prepared.ts). */
  private readonly keyByAccessKey;

  async findKey(accessKey: string): Promise<AccessKeyRow | undefined> {
    return (await this.keyByAccessKey(accessKey))[0];
  }

  /** Any one stored key (to check at start that the master key opens the stored secrets). */
  anyKey(): Promise<AccessKeyRow | undefined> {
    return this.db.selectFrom('access_keys').selectAll().limit(1).executeTakeFirst();
  }

  listKeys(accountId?: string): Promise<AccessKeyRow[]> {
    let q = this.db.selectFrom('access_keys').selectAll();
    if (accountId) q = q.where('account_id', '=', accountId);
    return q.orderBy('created_at').execute();
  }

  async setKeyStatus(accessKey: string, status: AccessKeyRow['status'], at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('access_keys')
      .set({ status, modified_at: at })
      .where('access_key', '=', accessKey)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
