// Moves the per-version copies that earlier releases wrote (<account>/<version>/attempt-N/<path>,
// recorded as details.storage.prefix and details.files) into content-addressed blobs, at start.
// Each file is adopted idempotently (blob-store.ts adopt: claim + manifest row, then a rename on
// the local store), and a version's details are rewritten only once all its files are blobs, so an
// interrupted upgrade simply continues at the next start. A lease keeps replicas from racing.
import type { Logger } from 'pino';
import type { ModelsRepo } from '../store/repos/models-repo.js';
import { BlobStore } from './blob-store.js';
import { deletePrefix } from './registry-copy.js';

const LEASE = 'registry-upgrade';
const DONE_MARK = 'registry-layout-blobs';
/** Top-level prefixes of the new layout; anything else is the old per-version layout. */
const NEW_ROOTS = new Set(['blobs', 'incoming', 'exports']);

interface OldDetails {
  files?: { path: string; size: number; sha256: string }[];
  storage?: { kind?: string; bucket?: string; prefix?: string; layout?: string };
  [k: string]: unknown;
}

export async function upgradeRegistryLayout(blobs: BlobStore, models: ModelsRepo, logger: Logger, owner: string): Promise<{ versions: number; files: number }> {
  const repo = blobs.repo;
  const out = { versions: 0, files: 0 };
  const now = () => new Date().toISOString();
  // Done once for this database: later starts cost one lookup, not a scan of every version.
  if (await repo.hasLease(DONE_MARK)) return out;
  if (!(await repo.acquireLease(LEASE, owner, now(), new Date(Date.now() + 600_000).toISOString()))) return out;
  let failed = 0;
  try {
    let after = '';
    for (;;) {
      const batch = await repo.versionsToUpgrade(after, 100);
      if (batch.length === 0) break;
      for (const v of batch) {
        after = v.id;
        const details = JSON.parse(v.details ?? '{}') as OldDetails;
        const prefix = details.storage?.prefix;
        if (!prefix || details.storage?.layout === 'blobs') continue;
        const scope = blobs.scopeOf(v.account_id);
        try {
          for (const f of details.files ?? []) {
            await blobs.adopt(v.id, { path: f.path, size: f.size, sha256: f.sha256, scope }, `${prefix}/${f.path}`);
            out.files++;
          }
          await deletePrefix(blobs.registry, prefix.split('/').slice(0, 2).join('/'));
          const storage = { kind: blobs.registry.store.kind, bucket: blobs.registry.bucket, layout: 'blobs', scope };
          await models.updateVersion(v.id, { details: JSON.stringify({ ...details, storage }) });
          out.versions++;
        } catch (err) {
          // One damaged copy must not keep the server from starting: it is retried at the next start.
          failed++;
          logger.error({ err, modelId: v.id }, 'could not move a version\'s registry copy into blobs; retried at the next start');
        }
      }
      await repo.acquireLease(LEASE, owner, now(), new Date(Date.now() + 600_000).toISOString());
    }
    // Every version is upgraded and the leftovers are gone: the old layout cannot reappear (all
    // replicas run this release), so later starts skip all of this.
    if (failed === 0) {
      await sweepOldLayout(blobs, models);
      await repo.acquireLease(DONE_MARK, 'done', now(), '9999-12-31T00:00:00.000Z');
    }
    if (out.versions > 0) logger.info(out, 'moved per-version registry copies into content-addressed blobs');
  } finally {
    await repo.releaseLease(LEASE, owner).catch(() => undefined);
  }
  return out;
}

/** Old-layout copies of versions that are gone, failed or never finished: nothing refers to them. */
async function sweepOldLayout(blobs: BlobStore, models: ModelsRepo): Promise<void> {
  const { store, bucket } = blobs.registry;
  const prefixes = new Set<string>();
  for await (const o of store.list(bucket, '')) {
    const parts = o.key.split('/');
    if (NEW_ROOTS.has(parts[0])) continue;
    if (parts.length >= 3) prefixes.add(`${parts[0]}/${parts[1]}`);
  }
  for (const p of prefixes) {
    const version = await models.findVersionById(p.split('/')[1]);
    if (version?.status === 'Creating') continue; // an old-release import may still be running
    await deletePrefix(blobs.registry, p);
  }
}
