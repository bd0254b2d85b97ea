// Adapters bound to their base version, and the tensor shapes of full models (what an adapter is
// checked against). A binding is written when the adapter becomes Ready and removed with it; the
// base cannot be deleted while one exists (domain/model/model-version-service.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('adapter_bindings')
    .addColumn('adapter_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('base_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('adapter_bindings_base').on('adapter_bindings').column('base_id').execute();
  await db.schema
    .createTable('version_tensor_shapes')
    .addColumn('version_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('shapes', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('version_tensor_shapes').execute();
  await db.schema.dropTable('adapter_bindings').execute();
}
