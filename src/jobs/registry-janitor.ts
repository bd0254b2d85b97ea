// Keeps registry storage free of what crashes and failed cleanups leave behind:
//  * temp files of writes a killed process never finished (local store; S3 uploads are atomic,
//    and an abandoned multipart upload is S3's to expire with a lifecycle rule);
//  * staged files (incoming/<account>/<version>/…) of versions that no longer exist or are no longer
//    Creating (a delete whose cleanup failed, a crash between a version's end and the cleanup).
// A version still Creating is never touched: its import job owns its prefix. Blobs are the
// collector's (blob-collector.ts), never the janitor's.
import type { Logger } from 'pino';
import { LocalObjectStore } from '../objects/local-store.js';
import type { ModelsRepo } from '../store/repos/models-repo.js';
import { deletePrefix, type RegistryLocation } from './registry-copy.js';

const STAGING_ROOT = 'incoming';

export interface JanitorOptions {
  /** A temp file untouched this long belongs to a dead writer. */
  staleTempMs: number;
  /** How often temp files are looked for. Orphaned copies are looked for once, at start. */
  intervalMs: number;
}

export class RegistryJanitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly registry: RegistryLocation,
    private readonly models: ModelsRepo,
    private readonly logger: Logger,
    private readonly opts: JanitorOptions,
  ) {}

  start(): void {
    this.running = this.sweepOrphans().then(() => this.sweepTemp());
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweepTemp());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Removes stale temp files now; resolves to how many went. Never throws. */
  async sweepTemp(): Promise<number> {
    const { store, bucket } = this.registry;
    if (!(store instanceof LocalObjectStore)) return 0;
    try {
      const n = await store.removeStaleTemp(bucket, this.opts.staleTempMs);
      if (n > 0) this.logger.info({ removed: n }, 'removed temp files of interrupted registry writes');
      return n;
    } catch (err) {
      this.logger.warn({ err }, 'registry temp-file sweep failed');
      return 0;
    }
  }

  /** Removes copies of deleted and failed versions; resolves to how many prefixes went. Never throws. */
  async sweepOrphans(): Promise<number> {
    const { store, bucket } = this.registry;
    let removed = 0;
    try {
      const prefixes = new Set<string>();
      for await (const o of store.list(bucket, STAGING_ROOT)) {
        const parts = o.key.split('/');
        if (parts.length >= 4) prefixes.add(`${parts[1]}/${parts[2]}`);
      }
      // Looked up in batches: one query per few hundred copies, not one per copy.
      const all = [...prefixes];
      for (let i = 0; i < all.length; i += 500) {
        const batch = all.slice(i, i + 500).map((p) => p.split('/') as [string, string]);
        const known = new Map((await this.models.versionStates(batch.map(([, v]) => v))).map((v) => [v.id, v]));
        for (const [accountId, versionId] of batch) {
          const version = known.get(versionId);
          if (version && version.account_id === accountId && version.status === 'Creating') continue;
          await deletePrefix(this.registry, `${STAGING_ROOT}/${accountId}/${versionId}`);
          removed++;
        }
      }
      if (removed > 0) this.logger.info({ removed }, 'removed staged files of deleted or finished versions');
    } catch (err) {
      this.logger.warn({ err }, 'registry orphan sweep failed');
    }
    return removed;
  }
}
