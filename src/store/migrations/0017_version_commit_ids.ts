// A Hub revision given as a commit (40 hex, src/domain/hub/commit-id.ts) is looked up by index
// instead of by reading the manifest of every Ready version of the set: an outside review found
// that one request with a valid read token could cost a thousand reads or more, on every replica
// after every restart, and always for a commit that does not exist. The commit is written when a
// version becomes Ready (src/jobs/import-job.ts). Rows made Ready before this migration keep NULL:
// the resolver fills a set's NULL commits at its first miss by index (each manifest read once per
// database), so this migration reads no manifest and stays instant on any number of versions.
// The index also orders by version_no: several versions with the same files share a commit, and
// the newest of them is the one a commit names.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('model_versions').addColumn('commit_id', 'varchar(40)').execute();
  await db.schema.createIndex('model_versions_set_commit').on('model_versions').columns(['model_set_id', 'commit_id', 'version_no']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('model_versions_set_commit').execute();
  await db.schema.alterTable('model_versions').dropColumn('commit_id').execute();
}
