// Uploaded custom chat-template files (CreateModelCustomConf).
import type { Kysely, Selectable } from 'kysely';
import type { CustomConfsTable, Database } from '../schema.js';

export type CustomConfRow = Selectable<CustomConfsTable>;

export class CustomConfsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: CustomConfRow): Promise<unknown> {
    return this.db.insertInto('custom_confs').values(row).execute();
  }

  find(accountId: string, fileName: string): Promise<CustomConfRow | undefined> {
    return this.db.selectFrom('custom_confs').selectAll().where('account_id', '=', accountId).where('file_name', '=', fileName).executeTakeFirst();
  }
}
