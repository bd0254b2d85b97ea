// The export job: packs a Ready version's blobs into one tar archive in registry storage
// (exports/<account>/<exportId>.tar), computing its MD5 while the bytes stream through. Every file
// streams from its blob into the archive and on to the store with backpressure: no file is ever
// held in memory. Same job machinery as imports (lease, takeover, retries).
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Logger } from 'pino';
import tar from 'tar-stream';
import type { ModelExportService } from '../domain/registry/export-service.js';
import type { ExportsRepo } from '../store/repos/exports-repo.js';
import type { Job, JobQueue } from './job-queue.js';
import type { ModelsRepo } from '../store/repos/models-repo.js';
import type { BlobStore } from './blob-store.js';
import type { JobContext, JobHandler } from './worker.js';

export const MAX_EXPORT_ATTEMPTS = 3;
/** Archive entries carry a fixed time, so exporting the same version twice gives the same bytes. */
const ENTRY_TIME = new Date(0);

export class ExportJobHandler implements JobHandler<'export'> {
  readonly kind = 'export';

  constructor(
    private readonly deps: {
      exports: ExportsRepo;
      exportService: ModelExportService;
      models: ModelsRepo;
      jobs: JobQueue;
      blobs: BlobStore;
      logger: Logger;
      retryDelayMs: number;
    },
  ) {}

  async run(job: Job<'export'>, ctx: JobContext): Promise<void> {
    const { exports, jobs, blobs, models } = this.deps;
    const now = () => new Date().toISOString();
    const e = await exports.get(job.subjectId);
    if (!e || e.status !== 'Doing') {
      await jobs.finish(job.id, ctx.owner, 'done', e ? null : 'export deleted', now());
      return;
    }
    if (job.attempts > MAX_EXPORT_ATTEMPTS) {
      await this.fail(job, ctx, e.id, `the export was interrupted ${job.attempts - 1} times (${job.lastError ?? 'worker stopped'}); create the export task again`);
      return;
    }
    const version = await models.findVersionById(e.version_id);
    const set = version && (await models.findSet(version.account_id, { id: version.model_set_id }));
    const manifest = await blobs.manifest(e.version_id);
    if (!version || !set || version.status !== 'Ready' || manifest.length === 0) {
      await this.fail(job, ctx, e.id, `model version ${e.version_id} was deleted or is no longer Ready`);
      return;
    }
    // One key per attempt: a stalled earlier owner can never overwrite the archive of the one that took over.
    const key = `exports/${e.account_id}/${e.id}-${job.attempts}.tar`;
    const { store, bucket } = blobs.registry;
    let written: { md5: string; size: number };
    try {
      written = await this.pack(e.account_id, manifest, (body) => store.write(bucket, key, body), ctx.signal);
    } catch (err) {
      await store.delete(bucket, key).catch(() => undefined);
      if (ctx.signal.aborted) throw err;
      const reason = `could not write the export archive: ${(err as Error).message}`;
      if (job.attempts < MAX_EXPORT_ATTEMPTS) {
        const at = Date.now();
        await jobs.retry(job.id, ctx.owner, reason, new Date(at).toISOString(), new Date(at + this.deps.retryDelayMs * job.attempts).toISOString());
        return;
      }
      await this.fail(job, ctx, e.id, reason);
      return;
    }
    const fileName = `${set.name}-${version.name}.tar`;
    const done = await models.transaction(async (tx) => {
      if (!(await jobs.finish(job.id, ctx.owner, 'done', null, now(), tx))) return false;
      const still = await exports.get(e.id, tx);
      if (!still || still.status !== 'Doing') return false;
      await exports.update(e.id, { status: 'Done', file_name: fileName, object_key: key, md5: written.md5, size: written.size, modified_at: now() }, tx);
      return true;
    });
    if (!done) {
      await store.delete(bucket, key).catch(() => undefined);
      return;
    }
    // Only the newest archive of a version is kept: older ones are whole copies of the model.
    for (const old of await exports.allFor(e.version_id)) {
      if (old.id !== e.id && old.status !== 'Doing') await this.deps.exportService.dropArchive(old).catch((err) => this.deps.logger.warn({ err }, 'could not remove an older export archive'));
    }
  }

  /** Streams the tar of `files` into `sink`, hashing on the way; resolves to its MD5 and size. */
  private async pack(
    accountId: string,
    files: { path: string; size: number; sha256: string }[],
    sink: (body: NodeJS.ReadableStream & import('node:stream').Readable) => Promise<unknown>,
    signal: AbortSignal,
  ): Promise<{ md5: string; size: number }> {
    const md5 = createHash('md5');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        md5.update(chunk);
        size += chunk.byteLength;
        cb(null, chunk);
      },
    });
    const pack = tar.pack();
    pack.on('error', (err) => hashing.destroy(err));
    pack.pipe(hashing);
    const writing = sink(hashing);
    // The sink failing (disk full) must stop the packing loop too.
    let sinkError: unknown;
    writing.catch((err) => {
      sinkError = err;
      pack.destroy(err as Error);
    });
    try {
      for (const f of files) {
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (sinkError) throw sinkError;
        const src = await this.deps.blobs.openBlob(accountId, f.sha256);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: f.path, size: f.size, mode: 0o644, mtime: ENTRY_TIME, type: 'file' }, (err) => (err ? reject(err) : resolve()));
          src.on('error', (err) => {
            entry.destroy(err);
            reject(err);
          });
          src.pipe(entry);
        });
      }
      pack.finalize();
      await writing;
    } catch (err) {
      pack.destroy(err as Error);
      await writing.catch(() => undefined);
      throw err;
    }
    return { md5: md5.digest('hex'), size };
  }

  /** A stored payload that does not fit: the export task fails with the reason. */
  async reject(job: { id: string; subjectId: string }, reason: string, ctx: JobContext): Promise<void> {
    await this.fail(job, ctx, job.subjectId, reason);
  }

  private async fail(job: { id: string }, ctx: JobContext, exportId: string, reason: string): Promise<void> {
    const at = new Date().toISOString();
    await this.deps.models.transaction(async (tx) => {
      if (!(await this.deps.jobs.finish(job.id, ctx.owner, 'failed', reason, at, tx))) return;
      await this.deps.exports.update(exportId, { status: 'Fail', failure_reason: reason, modified_at: at }, tx);
    });
  }
}
