// Runs durable jobs of one kind with a concurrency limit. Each claimed job holds a lease that the
// worker renews while the handler runs; if renewal fails (another replica took the job over after
// this process stalled), the handler is aborted. A crashed process's jobs are claimed again once
// their lease expires.
//
// Bounds (SECURITY.md, class 3): `cancel(subjectId)` aborts a subject's running job at once (DeleteModel);
// a job whose handler does not settle within `abandonAfterMs` of being aborted no longer holds its
// slot; `stop()` waits at most `shutdownGraceMs`, then hands what is still running back to the queue.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { unstorableText } from '../store/dialect.js';
import { parseJobPayload, type JobKind } from './job-payloads.js';
import type { ClaimedJob, Job, JobQueue } from './job-queue.js';

/** Why a job ended whose result the database refused (src/store/dialect.ts unstorableText). */
const UNSTORABLE_REASON = {
  nul: 'the result holds the NUL character (\\u0000), which the registry cannot store (it came from the files or the request); remove it and try again',
  'too-long': 'the result holds a text longer than the registry can store; shorten it and try again',
} as const;

export interface JobContext {
  owner: string;
  signal: AbortSignal;
}

export interface JobHandler<K extends JobKind = JobKind> {
  kind: K;
  /** Must finish the job (JobQueue.finish) itself, in the same transaction as its result. */
  run(job: Job<K>, ctx: JobContext): Promise<void>;
  /**
   * Ends a claimed job that cannot run (its stored payload does not fit its kind, or the database
   * refused text its run tried to record), and what it was for, with `reason`. Without it the job
   * alone fails.
   */
  reject?(job: Omit<ClaimedJob<K>, 'payload'>, reason: string, ctx: JobContext): Promise<void>;
}

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  logger: Logger;
  /** stop() waits at most this long for running jobs (default 10 s). */
  shutdownGraceMs?: number;
  /** An aborted job that has not settled after this long gives its slot up (default 5 s). */
  abandonAfterMs?: number;
}

interface RunningJob {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
}

export class JobWorker<K extends JobKind = JobKind> {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = new Map<string, RunningJob>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private pumping = false;

  constructor(
    private readonly repo: JobQueue,
    private readonly handler: JobHandler<K>,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped || this.opts.concurrency < 1) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for work now (a job was just queued). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming, aborts running jobs and hands them back to the queue, within shutdownGraceMs. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const jobs = [...this.running.values()];
    for (const r of jobs) r.controller.abort(new Error('worker stopping'));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.shutdownGraceMs ?? 10_000);
    });
    const settled = Promise.allSettled(jobs.map((r) => r.done)).then(() => 'done' as const);
    const outcome = await Promise.race([settled, grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // Wedged handlers: their jobs go back to the queue now; whatever they still do cannot commit
      // (finishing needs the lease this owner no longer holds).
      const stuck = jobs.filter((r) => this.running.get(r.job.id) === r);
      this.opts.logger.warn({ jobs: stuck.map((r) => r.job.id) }, 'jobs did not stop in time; handing them back to the queue');
      await Promise.allSettled(stuck.map((r) => this.repo.release(r.job.id, this.owner, new Date().toISOString())));
      for (const r of stuck) this.running.delete(r.job.id);
    }
  }

  /** Aborts the running job of `subjectId` on this worker (its version was deleted); true when one ran. */
  cancel(subjectId: string, reason = 'its version was deleted'): boolean {
    let found = false;
    for (const r of this.running.values()) {
      if (r.job.subjectId !== subjectId || r.controller.signal.aborted) continue;
      found = true;
      r.controller.abort(new Error(reason));
    }
    return found;
  }

  /** Jobs running on this worker now (for tests and metrics). */
  get runningCount(): number {
    return this.running.size;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.running.size < this.opts.concurrency) {
        const now = Date.now();
        const claimed = await this.repo.claim(this.handler.kind, this.owner, new Date(now).toISOString(), new Date(now + this.opts.leaseMs).toISOString());
        if (!claimed) break;
        // The one place a stored payload is read back: a job that does not fit its kind ends here.
        const read = parseJobPayload(claimed.kind, claimed.payload);
        if (read.ok) this.launch({ ...claimed, payload: read.payload });
        else await this.reject(claimed, read.reason);
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'job claim failed; will retry');
    } finally {
      this.pumping = false;
      if (!this.stopped) this.schedule(this.opts.pollMs);
    }
  }

  private async reject(job: Omit<ClaimedJob<K>, 'payload'>, reason: string): Promise<void> {
    const log = this.opts.logger.child({ jobId: job.id, subject: job.subjectId, attempt: job.attempts });
    log.error({ reason }, 'job cannot run; failing it');
    const ctx = { owner: this.owner, signal: new AbortController().signal };
    try {
      if (this.handler.reject) await this.handler.reject(job, reason, ctx);
      else await this.repo.finish(job.id, this.owner, 'failed', reason, new Date().toISOString());
    } catch (err) {
      // Its lease runs out and the next claim tries again.
      log.error({ err }, 'could not fail the job');
    }
  }

  private launch(job: Job<K>): void {
    const controller = new AbortController();
    const log = this.opts.logger.child({ jobId: job.id, subject: job.subjectId, attempt: job.attempts });
    const renew = setInterval(() => {
      const now = Date.now();
      this.repo
        .renew(job.id, this.owner, new Date(now).toISOString(), new Date(now + this.opts.leaseMs).toISOString())
        .then((ok) => {
          // Lost: taken over after a stall, or deleted with its version (DeleteModel on any replica).
          if (!ok && !controller.signal.aborted) {
            log.warn('lease lost; abandoning the job');
            controller.abort(new Error('lease lost'));
          }
        })
        .catch((err) => log.warn({ err }, 'lease renewal failed'));
    }, Math.max(500, Math.floor(this.opts.leaseMs / 3)));
    renew.unref();
    // A handler that ignores its abort must not hold a slot forever.
    let abandon: NodeJS.Timeout | undefined;
    controller.signal.addEventListener(
      'abort',
      () => {
        if (this.stopped) return; // stop() has its own bound
        abandon = setTimeout(() => {
          if (this.running.get(job.id) !== entry) return;
          log.warn('aborted job did not stop in time; freeing its slot');
          clearInterval(renew);
          this.running.delete(job.id);
          if (!this.stopped) this.schedule(0);
        }, this.opts.abandonAfterMs ?? 5_000);
        abandon.unref();
      },
      { once: true },
    );
    log.info('job started');
    const done = this.handler
      .run(job, { owner: this.owner, signal: controller.signal })
      .then(() => log.info('job finished'))
      .catch(async (err) => {
        if (this.stopped) {
          await this.repo.release(job.id, this.owner, new Date().toISOString()).catch(() => undefined);
          log.info('job handed back to the queue at shutdown');
        } else if (controller.signal.aborted) {
          log.info({ reason: String(controller.signal.reason) }, 'job aborted');
        } else if (unstorableText(err)) {
          // The same text fails every attempt: the job ends now, with a reason, instead of waiting
          // out its lease to be retried until its attempts run out.
          log.error({ err }, 'job result holds text the database cannot store');
          await this.reject(job, UNSTORABLE_REASON[unstorableText(err)!]);
        } else {
          log.error({ err }, 'job handler failed');
        }
      })
      .finally(() => {
        clearInterval(renew);
        clearTimeout(abandon);
        if (this.running.get(job.id) === entry) this.running.delete(job.id);
        if (!this.stopped) this.schedule(0);
      });
    const entry: RunningJob = { job, controller, done };
    this.running.set(job.id, entry);
  }
}
