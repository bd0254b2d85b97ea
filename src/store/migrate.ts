// Runs the migrations in src/store/migrations at start. Kysely's Migrator takes a lock
// (pg_advisory_lock on PostgreSQL) so several replicas may start at once; on SQLite the run
// holds the file's write lock instead (withSqliteWriteLock).
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { withSqliteWriteLock } from './dialect.js';
import * as m0001 from './migrations/0001_core.js';
import * as m0002 from './migrations/0002_import.js';
import * as m0003 from './migrations/0003_training.js';
import * as m0005 from './migrations/0005_quotas.js';
import * as m0006 from './migrations/0006_blobs.js';
import * as m0007 from './migrations/0007_hub.js';
import * as m0008 from './migrations/0008_sdk_compat.js';
import * as m0009 from './migrations/0009_adapters.js';
import * as m0010 from './migrations/0010_key_changes.js';
import * as m0011 from './migrations/0011_ux.js';
import * as m0012 from './migrations/0012_failure_codes.js';
import * as m0013 from './migrations/0013_job_retries.js';
import * as m0014 from './migrations/0014_listing_keysets.js';
import * as m0015 from './migrations/0015_model_set_counts.js';
import * as m0016 from './migrations/0016_model_set_labels.js';
import * as m0017 from './migrations/0017_version_commit_ids.js';

// A static list (not a directory scan) so the compiled build and tsx behave the same.
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_import': m0002,
  '0003_training': m0003,
  '0005_quotas': m0005,
  '0006_blobs': m0006,
  '0007_hub': m0007,
  '0008_sdk_compat': m0008,
  '0009_adapters': m0009,
  '0010_key_changes': m0010,
  '0011_ux': m0011,
  '0012_failure_codes': m0012,
  '0013_job_retries': m0013,
  '0014_listing_keysets': m0014,
  '0015_model_set_counts': m0015,
  '0016_model_set_labels': m0016,
  '0017_version_commit_ids': m0017,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  // Throwing inside the lock rolls a failed SQLite migration back whole.
  await withSqliteWriteLock(db, async () => {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) {
      const why = error instanceof Error ? error.message : String(error ?? '');
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${why}`);
    }
  });
}
