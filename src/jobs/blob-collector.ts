// Removes blobs no manifest references. Safe against imports of the same content: each blob goes in
// its own transaction that first locks the blob row and re-checks "no manifest row, no claim newer
// than the grace period", then deletes the object and the row. An import claims the row (bumping
// claimed_at) in the transaction that adds its manifest row, so it either waits for the collector
// and then re-creates the blob from its staged copy, or wins and the collector leaves the blob be.
// Several replicas share the database: a lease row lets one collector run at a time.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { BlobStore } from './blob-store.js';

export const COLLECTOR_LEASE = 'blob-collector';

export interface CollectorOptions {
  /** A blob claimed within this window is left alone even when unreferenced. */
  graceMs: number;
  /** How often the collector runs (0: only when asked). */
  intervalMs: number;
  /** How long the lease lasts without renewal. */
  leaseMs: number;
}

export interface CollectResult {
  /** False when another replica holds the lease. */
  ran: boolean;
  removed: number;
  removedBytes: number;
}

export class BlobCollector {
  readonly owner = `collector:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly blobs: BlobStore,
    private readonly logger: Logger,
    private readonly opts: CollectorOptions,
  ) {}

  start(): void {
    if (this.opts.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.collect()).catch(() => undefined);
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; never throws. */
  async collect(): Promise<CollectResult> {
    const repo = this.blobs.repo;
    const { store, bucket } = this.blobs.registry;
    const lease = () => repo.acquireLease(COLLECTOR_LEASE, this.owner, new Date().toISOString(), new Date(Date.now() + this.opts.leaseMs).toISOString());
    const result: CollectResult = { ran: false, removed: 0, removedBytes: 0 };
    try {
      if (!(await lease())) return result;
      result.ran = true;
      const cutoff = new Date(Date.now() - this.opts.graceMs).toISOString();
      for (;;) {
        const batch = await repo.unreferenced(cutoff, 200);
        let progressed = false;
        for (const b of batch) {
          const size = await repo.transaction(async (tx) => {
            if (!(await repo.lockCollectable(b.scope, b.sha256, cutoff, tx))) return -1;
            const key = BlobStore.blobKey(b.scope, b.sha256);
            const st = await store.stat(bucket, key);
            if (st) await store.delete(bucket, key);
            await repo.deleteBlob(b.scope, b.sha256, tx);
            return st?.size ?? 0;
          });
          if (size >= 0) {
            progressed = true;
            result.removed++;
            result.removedBytes += size;
          }
        }
        if (batch.length < 200 || !progressed) break;
        if (!(await lease())) break; // lost it (stalled for a whole lease): the other replica goes on
      }
      if (result.removed > 0) this.logger.info(result, 'removed unreferenced registry blobs');
    } catch (err) {
      this.logger.warn({ err }, 'blob collection failed; retried at the next run');
    } finally {
      await repo.releaseLease(COLLECTOR_LEASE, this.owner).catch(() => undefined);
    }
    return result;
  }
}
